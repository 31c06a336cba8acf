/** Pulling a stream's items from its iterator without an `await` per item. */

import { isThenable } from '../shared/async.js'

/**
 * What {@link pull} rejects with when the iterator itself threw (its `cause`):
 * its `finally` has run, so it needs no `return()`.
 */
export class IteratorFailed extends Error {
  override readonly name = 'IteratorFailed'

  constructor(cause: unknown) {
    super('the iterator threw', { cause })
  }
}

/** What `next()` in {@link pull} returns while a result is on its way (to `step`), or after `next()` failed. */
const PENDING = Symbol('pending')

/**
 * Hand the items of `iterator` to `take` one by one while it accepts them and
 * `more()` allows the next, starting with a `next()` now.
 *
 * A `.then` chain rather than `await iterator.next()` in a loop: fewer
 * promises and no async function to resume per item, which matters most
 * where every promise runs hooks (task storage on Node 20 and 22). Items of a
 * synchronous iterator are taken in a plain loop.
 *
 * @param take consumes an item and returns true, or returns false to hand it back.
 * @param more whether to pull the next item after one was taken.
 * @returns the result that ended the iteration or that `take` handed back, or
 *   `undefined` when `more()` stopped the pull.
 * @throws {IteratorFailed} (as a rejection) when `next()` threw or rejected;
 *   a TypeError for a result that is not an object, and what `take` or
 *   `more` throw, as they are.
 */
export function pull(
  iterator: AsyncIterator<unknown> | Iterator<unknown>,
  take: (value: unknown) => boolean,
  more: () => boolean,
): Promise<IteratorResult<unknown> | undefined> {
  return new Promise((resolve, reject) => {
    const failed = (error: unknown): void => reject(new IteratorFailed(error))
    const next = (): IteratorResult<unknown> | typeof PENDING => {
      try {
        const result = iterator.next()
        if (!isThenable(result)) return result
        // Promise.resolve: a foreign thenable is followed as `await` would (later, and once); a native promise as it is.
        Promise.resolve(result).then(step, failed)
      } catch (error) {
        failed(error)
      }
      return PENDING
    }
    const step = (first: IteratorResult<unknown>): void => {
      try {
        for (let result: IteratorResult<unknown> | typeof PENDING = first; result !== PENDING; result = next()) {
          if (typeof result !== 'object' || result === null) throw new TypeError(`iterator result ${String(result)} is not an object`)
          if (result.done || !take(result.value)) return resolve(result)
          if (!more()) return resolve(undefined)
        }
      } catch (error) {
        // Not the iterator's own failure: the caller tells them apart, and still returns the iterator.
        reject(error) // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors
      }
    }
    const result = next()
    if (result !== PENDING) step(result)
  })
}
