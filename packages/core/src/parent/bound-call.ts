/** `BoundCall`: what a method of `portal.bind()`'s proxy returns, a promise that is also a stream. */

import { deferred } from '../shared/async.js'
import { withCallerFrames } from '../shared/errors.js'
import { assertSendable } from '../wire/sendable.js'
import type { ActorConnection } from './connection.js'
import { ActorStream, cancelled } from './stream.js'

const noop = (): void => {}

/**
 * A bound call, sent when it is made, as a promise's work starts when the
 * promise is made. The child answers a generator function as a stream and
 * anything else as a call, so one object serves both: await it for a call's
 * result, iterate it (at once or later) for a stream's items. Awaiting a
 * stream rejects with a `TypeError`, as does iterating a call.
 */
export class BoundCall<T> extends Promise<T> implements AsyncIterableIterator<T>, AsyncDisposable {
  // then/catch/finally make plain promises, not more bound calls.
  static override get [Symbol.species](): PromiseConstructor {
    return Promise
  }

  #stream: AsyncIterableIterator<T> & AsyncDisposable = emptyStream()
  #observed = false

  /**
   * @internal Start `name` of `module` in the actor with `args`.
   *
   * An argument that cannot be sent rejects the call (as `portal.run` does) and nothing is sent.
   */
  static start<T>(connection: ActorConnection, module: string, name: string, args: unknown[], signal: AbortSignal | undefined): BoundCall<T> {
    const outcome = deferred<T>()
    // Settled through a reaction of `outcome`, which takes the awaiting caller's frames only if the call fails.
    const call = new BoundCall<T>((settle) => settle(outcome.promise.then(undefined, withCallerFrames)))
    try {
      assertSendable(args, 'args')
    } catch (error) {
      call.#stream = failedStream(error)
      outcome.reject(error)
      return call
    }
    if (signal?.aborted) {
      const error = cancelled(signal, connection.actor)
      call.#stream = failedStream(error)
      outcome.reject(error)
      return call
    }
    let settled = false
    const onAbort = (): void => {
      if (settled) return
      settled = true
      outcome.reject(cancelled(signal as AbortSignal, connection.actor))
    }
    call.#stream = new ActorStream<T>(connection, module, name, args, signal, {
      streaming: () => {
        // A stream's outcome is its items: the promise only says so to whoever awaits it.
        if (settled) return
        settled = true
        call.#observe()
        outcome.reject(new TypeError(`${name} is a generator function: iterate its stream (for await ... of) instead of awaiting it`))
        signal?.removeEventListener('abort', onAbort)
      },
      settled: (ok, value) => {
        signal?.removeEventListener('abort', onAbort)
        if (settled) return
        settled = true
        if (ok) outcome.resolve(value as T)
        else outcome.reject(value)
      },
    })
    signal?.addEventListener('abort', onAbort, { once: true })
    return call
  }

  /** Whoever iterates has seen the outcome: the promise's rejection must not also be reported as unhandled. */
  #observe(): void {
    if (this.#observed) return
    this.#observed = true
    void Promise.prototype.then.call(this, undefined, noop)
  }

  /** The stream's items (for a generator function). */
  [Symbol.asyncIterator](): this {
    this.#observe()
    return this
  }

  /** The next item; rejects with a `TypeError` when the export is not a generator function. */
  next(): Promise<IteratorResult<T, undefined>> {
    this.#observe()
    return this.#stream.next() as Promise<IteratorResult<T, undefined>>
  }

  /** Stop early: cancel the remote generator and wait (bounded) for its `finally`. */
  return(): Promise<IteratorResult<T, undefined>> {
    this.#observe()
    return (this.#stream.return?.() ?? Promise.resolve({ done: true, value: undefined })) as Promise<IteratorResult<T, undefined>>
  }

  /** Stop early, as `return()` does. */
  throw(): Promise<IteratorResult<T, undefined>> {
    return this.return()
  }

  /** Same as `return()`, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.return()
  }
}

function emptyStream<T>(): AsyncIterableIterator<T> & AsyncDisposable {
  return failedStream(new TypeError('the bound call has not started'))
}

/** A stream that only fails, for a call refused before it was sent. */
function failedStream<T>(error: unknown): AsyncIterableIterator<T> & AsyncDisposable {
  let reported = false
  const stream: AsyncIterableIterator<T> & AsyncDisposable = {
    next: () => {
      if (reported) return Promise.resolve({ done: true, value: undefined })
      reported = true
      return Promise.reject(error as Error) // eslint-disable-line @typescript-eslint/no-unnecessary-type-assertion -- what assertSendable and cancelled throw
    },
    return: () => Promise.resolve({ done: true, value: undefined }),
    [Symbol.asyncIterator]: () => stream,
    [Symbol.asyncDispose]: () => Promise.resolve(),
  }
  return stream
}
