/** The `'worker'` backend: each actor is a `worker_threads` Worker running harrow's runtime, talking over a dedicated MessagePort. */

import { resolve } from 'node:path'
import type { SpawnBackend, SpawnedChild, SpawnRequest } from '@harrow/core/backend'
import { WorkerOptionError } from './errors.js'
import { launchThread, shapeOf } from './launch.js'
import { portTransport } from './port-transport.js'
import { shutdownSpares, takeSpare } from './spares.js'

function refuseCwd(request: SpawnRequest): WorkerOptionError | undefined {
  if (request.cwd === undefined || resolve(request.cwd) === process.cwd()) return undefined
  return new WorkerOptionError({
    actorName: request.name,
    option: 'cwd',
    reason: `a thread shares its process's working directory (${process.cwd()}) and cannot have its own (${request.cwd}); leave cwd unset, or start this actor with spawnMethod: 'process'`,
  })
}

function start(request: SpawnRequest): SpawnedChild {
  if (request.execPath !== undefined)
    throw new TypeError(
      `cannot start actor '${request.name}' as a worker thread with execPath ${JSON.stringify(request.execPath)}: a thread runs on its process's own runtime; leave execPath unset, or start this actor with spawnMethod: 'process'`,
    )
  const cwdError = refuseCwd(request)
  if (cwdError) throw cwdError
  const shape = shapeOf(request)
  const { port, proc, worker } = takeSpare(shape) ?? launchThread(shape, request.name)
  const transport = portTransport(port, { maxFrameSize: request.maxFrameSize, peerGone: proc.wait() })
  return {
    proc,
    transport,
    unref() {
      worker.unref()
      port.unref()
    },
  }
}

/**
 * Starts actors as worker threads of this process. Each runs core's actor
 * runtime over a MessagePort of its own, carrying the same msgpack frames as
 * the process backend, so values and errors behave identically.
 */
export const workerBackend: SpawnBackend = {
  key: 'worker',
  spawn(request: SpawnRequest): Promise<SpawnedChild> {
    // What start() throws (a refused option, a Worker that cannot be made) becomes the rejection.
    return new Promise((resolve) => resolve(start(request)))
  },
  // Spare threads (startWorkerSpares, HARROW_WORKER_SPARES) are what this backend keeps between spawns.
  shutdown: shutdownSpares,
}
