/** `ActorStream`: the parent's side of a remote async generator, with credit-based backpressure. */

import { deferred, type Deferred, within } from '../shared/async.js'
import type { ActorConnection, TaskSink } from './connection.js'
import { ActorCancelledError, type ActorId } from '../shared/errors.js'
import { ReceiveWindow } from '../wire/flow.js'
import { Op, TaskKind } from '../wire/protocol.js'
import { Queue } from '../wire/queue.js'

/** How long leaving a stream early waits for the remote generator's `finally` to finish. */
const REMOTE_FINALLY_BOUND = 5000

type Ending = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: Error }

/** @internal How a bound call (`portal.bind`) learns whether the child answers it as a stream or as a call. */
export interface BoundHooks {
  /** The child answers as a stream. */
  streaming(): void
  /** The child answered as a call: its result (`ok`) or error. */
  settled(ok: boolean, value: unknown): void
}

/**
 * The items of a remote async generator, in order. At most one window of
 * items is buffered here; the remote generator waits for the rest. Leaving a
 * `for await` loop early (`break`, `return`, a throw) cancels the remote
 * generator and waits for its `finally` to run.
 */
export class ActorStream<T> implements AsyncIterableIterator<T>, AsyncDisposable {
  readonly #connection: ActorConnection
  readonly #items = new Queue<T>()
  readonly #ended = deferred<void>()
  readonly #module: string
  readonly #name: string
  readonly #args: unknown[]
  readonly #signal: AbortSignal | undefined
  #cid = 0
  #ending: Ending | undefined
  #waiter: Deferred<IteratorResult<T, undefined>> | undefined
  /** Frame sizes of the buffered items, in order, for the credit they are worth once taken. */
  readonly #sizes = new Queue<number>()
  readonly #window = new ReceiveWindow()
  #closedByUs = false
  readonly #bound: BoundHooks | undefined
  #streaming = false

  /**
   * @internal Portals make streams; see `portal.stream()`. The remote
   * generator starts on the first `next()`; a bound call's (`bound`) starts at once.
   */
  constructor(connection: ActorConnection, module: string, name: string, args: unknown[], signal: AbortSignal | undefined, bound?: BoundHooks) {
    this.#connection = connection
    this.#module = module
    this.#name = name
    this.#args = args
    this.#signal = signal
    this.#bound = bound
    if (bound) this.#start()
  }

  #start(): void {
    const signal = this.#signal
    if (signal?.aborted) {
      this.#end({ ok: false, error: cancelled(signal, this.#connection.actor) })
      return
    }
    const bound = this.#bound
    const sink: TaskSink = {
      kind: bound ? TaskKind.Bound : TaskKind.Stream,
      ...(bound && {
        started: () => {
          this.#streaming = true
          bound.streaming()
        },
      }),
      item: (value, bytes) => {
        const waiter = this.#waiter
        if (waiter) {
          this.#waiter = undefined
          this.#taken(bytes)
          waiter.resolve({ done: false, value: value as T })
        } else {
          this.#items.push(value as T)
          this.#sizes.push(bytes)
        }
      },
      settle: (ok, value) => {
        if (bound && !this.#streaming) {
          bound.settled(ok, value)
          this.#end({ ok: false, error: new TypeError(`${this.#name} is not a generator function: await its result instead of iterating it`) })
        } else this.#end(ok ? { ok, value } : { ok, error: value as Error })
      },
    }
    this.#cid = this.#connection.start(sink.kind, this.#module, this.#name, this.#args, sink)
    if (signal) {
      const onAbort = (): void => this.#abort(cancelled(signal, this.#connection.actor))
      signal.addEventListener('abort', onAbort, { once: true })
      void this.#ended.promise.then(() => signal.removeEventListener('abort', onAbort))
    }
  }

  /** The stream is its own iterator: `for await (const item of stream)`. */
  [Symbol.asyncIterator](): this {
    return this
  }

  /** The next item; `done` once the remote generator returned. Rejects with what the remote threw. */
  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#cid === 0 && !this.#ending) this.#start()
    if (this.#items.length > 0) {
      const value = this.#items.shift() as T
      this.#taken(this.#sizes.shift() ?? 0)
      return Promise.resolve({ done: false, value })
    }
    if (this.#ending) {
      if (this.#ending.ok || this.#closedByUs) return Promise.resolve({ done: true, value: undefined })
      const { error } = this.#ending
      // An error is reported once; later calls see a finished stream.
      this.#ending = { ok: true, value: undefined }
      return Promise.reject(error)
    }
    if (this.#waiter) return this.#waiter.promise
    this.#waiter = deferred()
    return this.#waiter.promise
  }

  /** Stop early: cancel the remote generator and wait (bounded) for its `finally`. */
  async return(): Promise<IteratorResult<T, undefined>> {
    await this.#close()
    return { done: true, value: undefined }
  }

  /** Stop early, as `return()` does. */
  async throw(): Promise<IteratorResult<T, undefined>> {
    await this.#close()
    return { done: true, value: undefined }
  }

  /** Same as `return()`, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#close()
  }

  #taken(bytes: number): void {
    const credit = this.#window.take(bytes)
    if (credit && !this.#ending) this.#connection.send([Op.Credit, this.#cid, ...credit])
  }

  async #close(): Promise<void> {
    this.#closedByUs = true
    this.#items.clear()
    this.#sizes.clear()
    if (this.#cid === 0) this.#end({ ok: true, value: undefined })
    if (this.#ending) return
    this.#connection.cancelTask(this.#cid)
    await within(this.#ended.promise, REMOTE_FINALLY_BOUND)
  }

  #abort(error: Error): void {
    if (this.#ending) return
    this.#connection.cancelTask(this.#cid)
    this.#items.clear()
    this.#sizes.clear()
    this.#finish({ ok: false, error })
  }

  #end(ending: Ending): void {
    this.#ended.resolve()
    if (this.#ending) return
    this.#finish(ending)
  }

  #finish(ending: Ending): void {
    this.#ending = ending
    const waiter = this.#waiter
    if (!waiter) return
    this.#waiter = undefined
    if (ending.ok || this.#closedByUs) waiter.resolve({ done: true, value: undefined })
    else {
      this.#ending = { ok: true, value: undefined }
      waiter.reject(ending.error)
    }
  }
}

/** The error a call to `actor` gets when its signal aborts. */
export function cancelled(signal: AbortSignal, actor: ActorId): ActorCancelledError {
  return new ActorCancelledError(`a call to actor '${actor.name}' was cancelled by its signal`, { actor, cause: signal.reason })
}
