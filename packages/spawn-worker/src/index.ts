/**
 * @harrow/spawn-worker: registers spawn method `'worker'`, where each actor
 * is a `worker_threads` Worker. Importing this module only registers the
 * backend; it is loaded on first spawn.
 */

import { createRequire } from 'node:module'
import type { ResourceLimits } from 'node:worker_threads'
// The root entry is where applications meet BackendOptions, which this package augments below (types only).
import type {} from '@harrow/core'
import { registerSpawnMethod } from '@harrow/core/backend'
import { probeWorkerThreads } from './probe.js'
import type { WorkerSpareInfo } from './spares.js'

/** The npm package name of this backend. */
export const PACKAGE_NAME = '@harrow/spawn-worker'

const manifest = createRequire(import.meta.url)('../package.json') as { version: string }

registerSpawnMethod('worker', {
  packageName: PACKAGE_NAME,
  version: manifest.version,
  entry: import.meta.url,
  probe: () => probeWorkerThreads(),
  load: async () => (await import('./backend.js')).workerBackend,
})

declare module '@harrow/core' {
  interface BackendOptions {
    /**
     * `'worker'` only: limits of the actor's thread (Node's `Worker`
     * `resourceLimits`). An actor that outgrows its heap ends with an
     * `ActorFailure` saying it ran out of memory; other actors carry on.
     * Other backends ignore it.
     * @default V8's defaults
     */
    readonly resourceLimits?: ResourceLimits
  }
}

export type { WorkerSpareInfo }

/**
 * Keep `count` worker threads started ahead of need, so that a `'worker'`
 * spawn with default thread options starts in a few milliseconds. See the
 * package README, "Spare threads".
 * @param count how many spares to keep. @default 1
 * @returns resolves once each spare waits for a spawn (or has ended).
 * @throws RangeError when `count` is not a whole number, 0 or more.
 * @throws WorkerOptionError when Node refuses the process's flags for a thread.
 */
export async function startWorkerSpares(count = 1): Promise<void> {
  await (await import('./spares.js')).startWorkerSpares(count)
}

/**
 * Stop keeping spare threads and end those there are; actors that took one
 * carry on.
 * @returns resolves once their threads have exited.
 */
export async function stopWorkerSpares(): Promise<void> {
  await (await import('./spares.js')).stopWorkerSpares()
}

/**
 * The spare threads there are now (none before {@link startWorkerSpares},
 * or before the first `'worker'` spawn with `HARROW_WORKER_SPARES` set).
 * @returns their thread ids, and whether each waits for a spawn yet.
 */
export async function workerSpares(): Promise<WorkerSpareInfo[]> {
  return (await import('./spares.js')).workerSpares()
}
export { WorkerOptionError, WorkerOutOfMemoryError, type UnsupportedWorkerOption, type WorkerOptionErrorInit } from './errors.js'
export { probeWorkerThreads } from './probe.js'
