/** Small promise helpers: every wait in harrow has a bound or an owner. */

/** A promise with its settle functions (Node 20 has no `Promise.withResolvers`). */
export interface Deferred<T> {
  /** Settles when {@link Deferred.resolve} or {@link Deferred.reject} is called, with the first call's outcome. */
  readonly promise: Promise<T>
  /** Fulfil the promise with `value`. */
  resolve(value: T): void
  /** Reject the promise with `reason`. */
  reject(reason: unknown): void
}

/** Make a {@link Deferred}. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (reason: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** What {@link within} resolves to when time runs out first. */
export const TIMED_OUT: unique symbol = Symbol('timed out')

/** `promise`, or {@link TIMED_OUT} after `ms` milliseconds, whichever is first. The timer is cleared either way. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  if (!Number.isFinite(ms)) return promise
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms), TIMED_OUT)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * `promise` within a grace of `ms`, counted in turns of the event loop as well as in time: when the grace runs out,
 * this waits for one more poll of I/O before it gives up, so what a dead child had already written (its last frames,
 * the end of its channel) is still read. Otherwise a parent kept off its CPU for longer than the grace (a loaded
 * machine) wakes to its timer first and drops them unread.
 */
export async function withinGrace<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  const outcome = await within(promise, ms)
  if (outcome !== TIMED_OUT) return outcome
  // The loop polls I/O after its timers and before its immediates: what is already readable settles `promise` first.
  return Promise.race([promise, new Promise<typeof TIMED_OUT>((resolve) => setImmediate(resolve, TIMED_OUT))])
}

/** Resolves on the event loop's next turn, once what is readable now was read: a long run of microtasks lets I/O in. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Resolve when `signal` aborts (at once when it already has). Removes its listener once `until` settles. */
export function aborted(signal: AbortSignal, until?: Promise<unknown>): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const onAbort = (): void => resolve()
    signal.addEventListener('abort', onAbort, { once: true })
    const cleanup = (): void => signal.removeEventListener('abort', onAbort)
    until?.then(cleanup, cleanup)
  })
}

/** True for a value `await` would follow: an object or function with a `then` method. */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
}
