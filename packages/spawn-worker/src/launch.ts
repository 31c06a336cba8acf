/** Starting one actor thread: the options it is started with, and the Worker, its channel and its handle. */

import { isDeepStrictEqual } from 'node:util'
import { MessageChannel, Worker, type MessagePort, type ResourceLimits } from 'node:worker_threads'
import { compileCacheDir, DEFAULT_MAX_FRAME_SIZE, hasCompileCache, type SpawnRequest } from '@harrow/core/backend'
import { definedEnv, startupEnvMatches } from '@harrow/core/env'
import { WorkerOptionError, WorkerOutOfMemoryError } from './errors.js'
import { classifyRefused, refusedFlags, tsxApiFor, withoutFlags } from './exec-argv.js'
import { WorkerHandle } from './worker-handle.js'
import type { ChildData } from './child-data.js'

/** Flags that make Node run modules of the user's in a thread before its entry: they see the environment the thread starts with. */
const CODE_FLAGS = ['--import', '--require', '-r', '--loader', '--experimental-loader']

function runsCodeAtStart(execArgv: readonly string[]): boolean {
  return execArgv.some((flag) => CODE_FLAGS.some((name) => flag === name || flag.startsWith(`${name}=`)))
}

/** What a thread is started with. A spare serves a spawn when all but the environment are equal, and the environment agrees on what is read at start. */
export interface ThreadShape {
  readonly execArgv: readonly string[]
  readonly env: Readonly<Record<string, string>>
  readonly resourceLimits: ResourceLimits | undefined
  readonly maxFrameSize: number
}

/** A started thread, not yet talked to: its channel's parent end is not started, so what the thread says waits there. */
export interface LaunchedThread {
  readonly worker: Worker
  readonly port: MessagePort
  readonly proc: WorkerHandle
}

const CHILD_ENTRY = new URL('./child.js', import.meta.url)
/** The same, after turning on Node's compile cache in the thread (Node >= 22.1): a thread does not share its process's. */
const CACHED_CHILD_ENTRY = new URL('./cached-child.js', import.meta.url)

/** Flags Node refused earlier for a given `execArgv` that the process already runs with: dropped without asking Node again. */
const inEffectFlags = new Map<string, string[]>()

/** The shape of a thread for `request`, with the flags Node refused before and the process has anyway left out. */
export function shapeOf(request: Pick<SpawnRequest, 'env' | 'execArgv' | 'maxFrameSize' | 'options'>): ThreadShape {
  return {
    execArgv: withoutFlags(request.execArgv, inEffectFlags.get(request.execArgv.join('\0')) ?? []),
    // Node's `env` option takes strings only; `undefined` means "remove it", as for child processes.
    env: definedEnv(request.env),
    resourceLimits: request.options.resourceLimits,
    maxFrameSize: request.maxFrameSize,
  }
}

/** The shape of a thread spawned now with default options: the parent's environment and flags. */
export function defaultShape(): ThreadShape {
  return shapeOf({ env: process.env, execArgv: process.execArgv, maxFrameSize: DEFAULT_MAX_FRAME_SIZE, options: {} })
}

/**
 * Whether a spare started as `spare` can serve a spawn of shape `wanted`:
 * the same flags, limits and frame limit, and an environment that differs at
 * most in variables that can still be set once the thread runs. When the
 * flags run modules before the thread's entry (`--import`, `--require`, a
 * loader: tsx, an APM agent), those modules read the environment the spare
 * started with, so the whole environment must be the same.
 */
export function canServe(spare: ThreadShape, wanted: ThreadShape): boolean {
  return (
    spare.maxFrameSize === wanted.maxFrameSize &&
    isDeepStrictEqual(spare.execArgv, wanted.execArgv) &&
    isDeepStrictEqual(spare.resourceLimits, wanted.resourceLimits) &&
    (runsCodeAtStart(spare.execArgv) ? isDeepStrictEqual(spare.env, wanted.env) : startupEnvMatches(spare.env, wanted.env))
  )
}

function refuseFlags(actorName: string, flags: readonly string[], cause: unknown): WorkerOptionError {
  return new WorkerOptionError({
    actorName,
    option: 'execArgv',
    flags,
    reason:
      `Node refuses execArgv ${flags.join(' ')} for a worker thread (ERR_WORKER_INVALID_EXEC_ARGV): these options apply to a whole process (V8 flags, --title, ...), not to one thread. ` +
      `Start the root process with them (worker actors then run with them too), use backend.resourceLimits for heap limits, or start this actor with spawnMethod: 'process'`,
    cause,
  })
}

/**
 * Start a thread running the actor runtime, which says hello and waits for
 * its spawn spec. Flags Node refuses but the process already runs with are
 * dropped (and remembered); others are refused.
 * @param name the actor's name (or a spare's), for diagnostics.
 * @throws WorkerOptionError when Node refuses a flag of `shape.execArgv` that the process does not run with.
 * @throws what `new Worker()` throws otherwise.
 */
export function launchThread(shape: ThreadShape, name: string, spare = false): LaunchedThread {
  const cacheKey = shape.execArgv.join('\0')
  let execArgv = [...shape.execArgv]
  const { resourceLimits } = shape
  const tsxApi = tsxApiFor(execArgv)
  const compileCache = hasCompileCache() ? compileCacheDir(shape.env) : undefined
  for (;;) {
    // A channel of its own rather than `parentPort`: closing it is how either side says "I am gone", as EOF is for a socket.
    const { port1, port2 } = new MessageChannel()
    const workerData: ChildData = {
      port: port2,
      maxFrameSize: shape.maxFrameSize,
      name,
      ...(tsxApi === undefined ? {} : { tsxApi }),
      ...(spare ? { spare } : {}),
      ...(compileCache === undefined ? {} : { compileCache }),
    }
    let worker: Worker
    try {
      worker = new Worker(compileCache === undefined ? CHILD_ENTRY : CACHED_CHILD_ENTRY, {
        execArgv,
        env: shape.env,
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
      if (impossible.length > 0 || inEffect.length === 0) throw refuseFlags(name, impossible.length > 0 ? impossible : refused, error)
      // Already in effect for every thread of this process (V8 flags are process-wide): the actor runs with them anyway.
      inEffectFlags.set(cacheKey, [...(inEffectFlags.get(cacheKey) ?? []), ...inEffect])
      execArgv = withoutFlags(execArgv, inEffect)
      continue
    }
    const proc = new WorkerHandle(worker, (error) =>
      (error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? new WorkerOutOfMemoryError(resourceLimits as Record<string, number> | undefined, error)
        : error,
    )
    return { worker, port: port1, proc }
  }
}
