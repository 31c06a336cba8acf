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
 */
export interface ActorContext<TIn = unknown, TOut = unknown, TStarted = unknown> extends AsyncIterable<TIn> {
  /** Hand the parent its `ctx.started` value; `openContext` resolves on it. Call once, before `send`. */
  started(value?: TStarted): void
  /** Send one value to the parent; resolves once the parent has room for it (backpressure). */
  send(value: TOut): Promise<void>
  /** Aborts when the parent cancels the context or the actor is cancelled. */
  readonly signal: AbortSignal
}

const CONTEXT = Symbol.for('harrow.context')

/** A function marked by {@link context}. */
export type ContextFunction<TArgs extends unknown[] = never[], TStarted = unknown, TIn = unknown, TOut = unknown, TResult = unknown> = ((
  ctx: ActorContext<TIn, TOut, TStarted>,
  ...args: TArgs
) => TResult | Promise<TResult>) & {
  /** The mark `context()` puts on the function. */
  readonly [CONTEXT]: true
}

/**
 * Mark `fn(ctx, ...args)` as a context function, to be opened with
 * `portal.openContext(ref, args)`.
 */
export function context<TArgs extends unknown[], TStarted = unknown, TIn = unknown, TOut = unknown, TResult = unknown>(
  fn: (ctx: ActorContext<TIn, TOut, TStarted>, ...args: TArgs) => TResult | Promise<TResult>,
): ContextFunction<TArgs, TStarted, TIn, TOut, TResult> {
  if (typeof fn !== 'function') throw new TypeError('context(fn): fn must be a function')
  return Object.defineProperty(fn, CONTEXT, { value: true }) as ContextFunction<TArgs, TStarted, TIn, TOut, TResult>
}

/** True for a function marked by {@link context}. */
export function isContextFunction(fn: unknown): fn is ContextFunction {
  return typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[CONTEXT] === true
}

/** The task-local storage, for the runtime that starts tasks. @internal */
export function runTask<T>(task: TaskInfo, fn: () => T): T {
  return runtime().tasks.run(task, fn)
}
