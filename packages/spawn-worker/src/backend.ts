/** The `'worker'` backend: each actor is a `worker_threads` Worker running harrow's runtime, talking over a dedicated MessagePort. */

import { resolve } from 'node:path'
import { MessageChannel, Worker, type MessagePort, type ResourceLimits } from 'node:worker_threads'
import type { SpawnBackend, SpawnedChild, SpawnRequest } from '@harrow/core'
import { WorkerOptionError, WorkerOutOfMemoryError } from './errors.js'
import { classifyRefused, refusedFlags, tsxApiFor, withoutFlags } from './exec-argv.js'
import { portTransport } from './port-transport.js'
import { WorkerHandle } from './worker-handle.js'

/** Options of one worker actor, given as `ActorOptions.backend`. */
export interface WorkerBackendOptions {
  /**
   * Limits of the actor's thread (Node's `Worker` `resourceLimits`: heap
   * generations, code range, stack). An actor that outgrows its heap is
   * stopped by Node and ends with an `ActorFailure` whose reason says it ran
   * out of memory; other actors carry on.
   * @default V8's defaults, as for the main thread
   */
  readonly resourceLimits?: ResourceLimits
}

/** What the child entry receives as `workerData`. @internal */
export interface ChildData {
  /** The actor's end of its channel. */
  readonly port: MessagePort
  readonly maxFrameSize: number
  /** The actor's name, for diagnostics before the spawn spec arrives. */
  readonly name: string
  /** `tsx/esm/api` to register in the thread, when `execArgv` loads tsx. */
  readonly tsxApi?: string
}

const CHILD_ENTRY = new URL('./child.js', import.meta.url)

/** Flags Node refused earlier for a given `execArgv` that the process already runs with: dropped without asking Node again. */
const inEffectFlags = new Map<string, string[]>()

function refuseCwd(request: SpawnRequest): WorkerOptionError | undefined {
  if (request.cwd === undefined || resolve(request.cwd) === process.cwd()) return undefined
  return new WorkerOptionError({
    actorName: request.name,
    option: 'cwd',
    reason: `a thread shares its process's working directory (${process.cwd()}) and cannot have its own (${request.cwd}); leave cwd unset, or start this actor with spawnMethod: 'process'`,
  })
}

function refuseFlags(request: SpawnRequest, flags: readonly string[], cause: unknown): WorkerOptionError {
  return new WorkerOptionError({
    actorName: request.name,
    option: 'execArgv',
    flags,
    reason:
      `Node refuses execArgv ${flags.join(' ')} for a worker thread (ERR_WORKER_INVALID_EXEC_ARGV): these options apply to a whole process (V8 flags, --title, ...), not to one thread. ` +
      `Start the root process with them (worker actors then run with them too), use backend.resourceLimits for heap limits, or start this actor with spawnMethod: 'process'`,
    cause,
  })
}

/** Node's `env` option takes strings only; `undefined` means "remove it", as for child processes. */
function workerEnv(env: SpawnRequest['env']): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value
  return out
}

function start(request: SpawnRequest): SpawnedChild {
  const cwdError = refuseCwd(request)
  if (cwdError) throw cwdError
  const cacheKey = request.execArgv.join('\0')
  let execArgv = withoutFlags(request.execArgv, inEffectFlags.get(cacheKey) ?? [])
  const { resourceLimits } = request.options
  const tsxApi = tsxApiFor(execArgv)
  for (;;) {
    // A channel of its own rather than `parentPort`: closing it is how either side says "I am gone", as EOF is for a socket.
    const { port1, port2 } = new MessageChannel()
    const workerData: ChildData = { port: port2, maxFrameSize: request.maxFrameSize, name: request.name, ...(tsxApi === undefined ? {} : { tsxApi }) }
    let worker: Worker
    try {
      worker = new Worker(CHILD_ENTRY, {
        execArgv,
        env: workerEnv(request.env),
        workerData,
        transferList: [port2],
        ...(resourceLimits === undefined ? {} : { resourceLimits }),
      })
    } catch (error) {
      port1.close()
      port2.close()
      const refused = refusedFlags(error)
      if (!refused) throw error
      const { inEffect, impossible } = classifyRefused(refused)
      if (impossible.length > 0 || inEffect.length === 0) throw refuseFlags(request, impossible.length > 0 ? impossible : refused, error)
      // Already in effect for every thread of this process (V8 flags are process-wide): the actor runs with them anyway.
      inEffectFlags.set(cacheKey, [...(inEffectFlags.get(cacheKey) ?? []), ...inEffect])
      execArgv = withoutFlags(execArgv, inEffect)
      continue
    }
    const proc = new WorkerHandle(worker, (error) =>
      (error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY' ? new WorkerOutOfMemoryError(resourceLimits as Record<string, number> | undefined, error) : error,
    )
    return { proc, transport: portTransport(port1, { maxFrameSize: request.maxFrameSize, peerGone: proc.wait() }) }
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
}
