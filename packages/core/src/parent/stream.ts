/** `ActorStream`: the parent's side of a remote async generator, with credit-based backpressure. */

import { deferred, within } from '../shared/async.js'
import { TASK_CANCEL_BOUND, type ActorConnection, type TaskSink } from './connection.js'
import { ActorCancelledError, addCallSite, captureCallSite, type ActorId } from '../shared/errors.js'
import { FLOW_WINDOW } from '../wire/flow.js'
import { Inbox } from '../wire/inbox.js'
import { Op, TaskKind } from '../wire/protocol.js'

/**
 * Where a stream is. `idle`: the remote generator starts on the first
 * `next()`. `running`: it yields. `closing`: the consumer left early and waits
 * for the cancelled generator to finish. `done`: nothing more to report.
 * `failed`: it ended with `error`, which the next `next()` reports once.
 */
type State = { readonly phase: 'idle' | 'running' | 'closing' | 'done' } | { readonly phase: 'failed'; readonly error: Error }

const IDLE: State = { phase: 'idle' }
const RUNNING: State = { phase: 'running' }
const CLOSING: State = { phase: 'closing' }
const DONE: State = { phase: 'done' }

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
  /** Resolves once the remote generator has finished, or when it never started. */
  readonly #ended = deferred<void>()
  readonly #module: string
  readonly #name: string
  readonly #args: unknown[]
  readonly #signal: AbortSignal | undefined
  #cid = 0
  #state: State = IDLE
  // Replaced when the stream starts, by one with the window the connection lends it.
  #inbox = this.#newInbox(FLOW_WINDOW)
  readonly #bound: BoundHooks | undefined
  /** A bound call the child answered as a stream (a generator function). */
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
      this.#ended.resolve()
      this.#finish({ phase: 'failed', error: cancelled(signal, this.#connection.actor) })
      return
    }
    this.#state = RUNNING
    this.#inbox = this.#newInbox(this.#connection.takeStreamWindow())
    const bound = this.#bound
    const sink: TaskSink = {
      kind: bound ? TaskKind.Bound : TaskKind.Stream,
      ...(bound && {
        started: () => {
          this.#streaming = true
          this.#grantHead()
          bound.streaming()
        },
      }),
      item: (value, bytes) => this.#inbox.push(value as T, bytes),
      blocked: () => this.#inbox.blocked(),
      settle: (ok, value) => {
        if (bound && !this.#streaming) {
          bound.settled(ok, value)
          this.#settle({ phase: 'failed', error: new TypeError(`${this.#name} is not a generator function: await its result instead of iterating it`) })
        } else this.#settle(ok ? DONE : { phase: 'failed', error: value as Error })
      },
    }
    this.#cid = this.#connection.start(sink.kind, this.#module, this.#name, this.#args, sink)
    // A bound call may be answered as a call, which has no window: it gets its head once the child says it streams.
    if (!bound) this.#grantHead()
    if (signal) {
      const onAbort = (): void => this.#abort(cancelled(signal, this.#connection.actor))
      signal.addEventListener('abort', onAbort, { once: true })
      void this.#ended.promise.then(() => signal.removeEventListener('abort', onAbort))
    }
  }

  #newInbox(window: number): Inbox<T> {
    return new Inbox<T>((items, bytes) => {
      if (this.#state.phase === 'running') this.#connection.send([Op.Credit, this.#cid, items, bytes])
    }, window)
  }

  /** The sender starts with FLOW_WINDOW items: grant the rest of the window the connection lent this stream. */
  #grantHead(): void {
    const head = this.#inbox.window - FLOW_WINDOW
    if (head > 0 && this.#state.phase === 'running') this.#connection.send([Op.Credit, this.#cid, head, 0])
  }

  /** The stream is its own iterator: `for await (const item of stream)`. */
  [Symbol.asyncIterator](): this {
    return this
  }

  /** The next item; `done` once the remote generator returned. Rejects with what the remote threw. */
  async next(): Promise<IteratorResult<T, undefined>> {
    if (this.#state.phase === 'idle') this.#start()
    if (this.#inbox.length === 0) await this.#inbox.wait()
    if (this.#inbox.length > 0) return { done: false, value: this.#inbox.take() }
    const state = this.#state
    if (state.phase !== 'failed') return { done: true, value: undefined }
    // An error is reported once; later calls see a finished stream.
    this.#state = DONE
    // Taken here, in the iterating code's (async) frames: a stream pays for a stack capture only when it fails.
    addCallSite(state.error, captureCallSite(ActorStream.prototype.next)) // eslint-disable-line @typescript-eslint/unbound-method -- only marks where the caller's frames start
    throw state.error
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

  async #close(): Promise<void> {
    this.#inbox.clear()
    switch (this.#state.phase) {
      case 'idle':
        this.#ended.resolve()
        this.#finish(DONE)
        return
      case 'failed':
        // Left early: the consumer no longer hears of the failure.
        this.#finish(DONE)
        return
      case 'done':
        return
      case 'running':
        this.#state = CLOSING
        this.#connection.cancelTask(this.#cid)
        break
      case 'closing':
        break
    }
    await within(this.#ended.promise, TASK_CANCEL_BOUND)
  }

  /** The signal aborted: cancel the remote generator; a consumer still reading gets `error`. */
  #abort(error: Error): void {
    const { phase } = this.#state
    if (phase !== 'running' && phase !== 'closing') return
    this.#connection.cancelTask(this.#cid)
    this.#inbox.clear()
    this.#finish(phase === 'running' ? { phase: 'failed', error } : DONE)
  }

  /** The remote generator finished, with `outcome` unless the consumer already left or the signal aborted. */
  #settle(outcome: State): void {
    this.#ended.resolve()
    // The remote task is over: nothing of this stream is in flight any more.
    this.#connection.returnStreamWindow(this.#inbox.window)
    const { phase } = this.#state
    if (phase === 'running') this.#finish(outcome)
    else if (phase === 'closing') this.#finish(DONE)
  }

  #finish(state: State): void {
    this.#state = state
    this.#inbox.close()
  }
}

/** The error a call to `actor` gets when its signal aborts. */
export function cancelled(signal: AbortSignal, actor: ActorId): ActorCancelledError {
  return new ActorCancelledError(`a call to actor '${actor.name}' was cancelled by its signal`, { actor, cause: signal.reason })
}
