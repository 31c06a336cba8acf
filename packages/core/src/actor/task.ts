/** What actor modules import to know their running task and to write context functions. */

import { HarrowError } from '../shared/errors.js'
import { runtime, type TaskInfo } from '../shared/realm.js'

/**
 * The remote task this code runs in. Its `signal` aborts when the caller
 * cancels the call or the actor is cancelled; long-running work should watch it.
 *
 * @throws HarrowError when called outside a remote task.
 */
export function currentTask(): TaskInfo {
  const task = runtime().tasks.getStore()
  if (!task) throw new HarrowError('currentTask() was called outside a remote task: call it from a function run through a portal')
  return task
}

/**
 * The remote side of a context opened with `portal.openContext()`: iterate it
 * for what the parent sends, `send` back, and call `started` once first.
 *
 * Context types take their parameters in one order everywhere, as
 * `openContext` does: `TStarted` (what `started` hands the parent), `TIn`
 * (what the parent sends in), `TOut` (what the actor sends out), then, where
 * there is one, `TResult` (what the function returns).
 */
export interface ActorContext<TStarted = unknown, TIn = unknown, TOut = unknown> extends AsyncIterable<TIn> {
  /** Hand the parent its `ctx.started` value; `openContext` resolves on it. Call once, before `send`. */
  started(value?: TStarted): void
  /** Send one value to the parent; resolves once the parent has room for it (backpressure). */
  send(value: TOut): Promise<void>
  /** Aborts when the parent cancels the context or the actor is cancelled. */
  readonly signal: AbortSignal
}

const CONTEXT: unique symbol = Symbol.for('harrow.context') as never

/** What `context()` puts on a function: `bind` leaves such exports out, `openContext` opens them. */
export interface ContextMark {
  /** The mark. */
  readonly [CONTEXT]: true
}

/**
 * A function marked by {@link context}, typed where it is defined: `ctx`'s
 * `TStarted, TIn, TOut`, then `TResult` and the arguments after `ctx`.
 */
export type ContextFunction<TStarted = unknown, TIn = unknown, TOut = unknown, TResult = unknown, TArgs extends unknown[] = never[]> = ((
  ctx: ActorContext<TStarted, TIn, TOut>,
  ...args: TArgs
) => TResult | Promise<TResult>) &
  ContextMark

/**
 * Mark `fn(ctx, ...args)` as a context function, to be opened with
 * `portal.openContext(ref, args)`. Annotate `ctx` once here
 * (`async (ctx: ActorContext<string, number, number>, label: string) => ...`):
 * a typed ref to the export carries every type to `openContext`.
 *
 * @throws TypeError when `fn` is not a function.
 */
export function context<TStarted = unknown, TIn = unknown, TOut = unknown, TResult = unknown, TArgs extends unknown[] = []>(
  fn: (ctx: ActorContext<TStarted, TIn, TOut>, ...args: TArgs) => TResult | Promise<TResult>,
): ContextFunction<TStarted, TIn, TOut, TResult, TArgs> {
  if (typeof fn !== 'function') throw new TypeError('context(fn): fn must be a function')
  return Object.defineProperty(fn, CONTEXT, { value: true }) as ContextFunction<TStarted, TIn, TOut, TResult, TArgs>
}

/** True for a function marked by {@link context}. */
export function isContextFunction(fn: unknown): fn is ContextFunction<unknown, unknown, unknown, unknown, unknown[]> {
  return typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[CONTEXT] === true
}

/** The task-local storage, for the runtime that starts tasks. @internal */
export function runTask<T>(task: TaskInfo, fn: () => T): T {
  return runtime().tasks.run(task, fn)
}
