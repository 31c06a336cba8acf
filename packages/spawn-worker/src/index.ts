/**
 * @harrow/spawn-worker: registers spawn method `'worker'`, where each actor
 * is a `worker_threads` Worker. Importing this module only registers the
 * backend; it is loaded on first spawn.
 */

import { createRequire } from 'node:module'
import type { ResourceLimits } from 'node:worker_threads'
import { registerSpawnMethod } from '@harrow/core'
import { probeWorkerThreads } from './probe.js'

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

export type { WorkerBackendOptions } from './backend.js'
export { WorkerOptionError, WorkerOutOfMemoryError, type UnsupportedWorkerOption, type WorkerOptionErrorInit } from './errors.js'
export { probeWorkerThreads } from './probe.js'
