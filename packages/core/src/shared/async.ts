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
