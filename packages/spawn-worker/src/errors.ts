/** The errors the worker backend adds to core's: options a thread cannot honour, and a thread that ran out of memory. */

import { HarrowError } from '@harrow/core/backend'

/** An actor option that a worker thread cannot honour. */
export type UnsupportedWorkerOption = 'cwd' | 'execArgv'

/** Fields of a {@link WorkerOptionError}. */
export interface WorkerOptionErrorInit {
  /** The actor that could not be spawned. */
  readonly actorName: string
  /** Which option was refused. */
  readonly option: UnsupportedWorkerOption
  /** The Node flags Worker refused, for `option: 'execArgv'`. */
  readonly flags?: readonly string[]
  /** Why, and what to do instead. */
  readonly reason: string
  /** The error Node raised, when it refused the option itself. */
  readonly cause?: unknown
}

/**
 * An actor asked for something a worker thread cannot have: a working
 * directory of its own (`cwd`), or Node flags that apply to a whole process
 * (`execArgv`). The spawn is refused rather than the option silently ignored;
 * nothing was started.
 */
export class WorkerOptionError extends HarrowError {
  /** Which option was refused. */
  declare readonly option: UnsupportedWorkerOption
  /** The Node flags a Worker refused (empty unless `option` is `'execArgv'`). */
  declare readonly flags: readonly string[]

  constructor(init: WorkerOptionErrorInit) {
    super(`cannot start actor '${init.actorName}' as a worker thread: ${init.reason}`, init.cause === undefined ? undefined : { cause: init.cause })
    Object.defineProperties(this, {
      option: { value: init.option, enumerable: true },
      flags: { value: Object.freeze([...(init.flags ?? [])]), enumerable: true },
    })
  }
}
Object.defineProperty(WorkerOptionError.prototype, 'name', { value: 'WorkerOptionError', writable: true, configurable: true, enumerable: false })

/**
 * A worker actor reached a heap limit (`backend.resourceLimits`, or V8's
 * default) and Node stopped its thread (`ERR_WORKER_OUT_OF_MEMORY`). Core
 * reports it as the reason and `cause` of the actor's `ActorFailure`; the
 * rest of the process carries on.
 */
export class WorkerOutOfMemoryError extends HarrowError {
  /** Always `'ERR_WORKER_OUT_OF_MEMORY'`, as Node reported it. */
  declare readonly code: 'ERR_WORKER_OUT_OF_MEMORY'
  /** The limits the thread ran with, when the actor set any. */
  declare readonly resourceLimits: Readonly<Record<string, number>> | undefined

  constructor(resourceLimits: Readonly<Record<string, number>> | undefined, cause: unknown) {
    const limits =
      resourceLimits && Object.keys(resourceLimits).length > 0
        ? Object.entries(resourceLimits)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ')
        : undefined
    super(
      `out of memory: the worker thread's JS heap reached its limit (${limits ? `backend.resourceLimits { ${limits} }` : "V8's default limits"}) and Node stopped the thread (ERR_WORKER_OUT_OF_MEMORY)`,
      { cause },
    )
    Object.defineProperties(this, {
      code: { value: 'ERR_WORKER_OUT_OF_MEMORY', enumerable: true },
      resourceLimits: { value: resourceLimits, enumerable: true },
    })
  }
}
Object.defineProperty(WorkerOutOfMemoryError.prototype, 'name', { value: 'WorkerOutOfMemoryError', writable: true, configurable: true, enumerable: false })
