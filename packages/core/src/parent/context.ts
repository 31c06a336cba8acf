/** `Context`: the parent's side of a two-way context opened with `portal.openContext()`. */

import { deferred, type Deferred, within } from '../shared/async.js'
import { assertSendable } from '../wire/sendable.js'
import { TASK_CANCEL_BOUND, type ActorConnection, type TaskSink } from './connection.js'
import { HarrowError } from '../shared/errors.js'
import { ReceiveWindow, SendWindow } from '../wire/flow.js'
import { Op, TaskKind } from '../wire/protocol.js'
import { Queue } from '../wire/queue.js'

/**
 * A two-way conversation with one remote context function. `started` is what
 * the remote passed to `ctx.started()`; `send` and `end` talk to the remote's
 * loop over `ctx`; iterating the context yields what the remote sends until its
 * function returns; `result()` is what it returned.
 */
export class Context<TStarted = unknown, TIn = unknown, TOut = unknown, TResult = unknown> implements AsyncIterable<TOut>, AsyncDisposable {
  readonly #connection: ActorConnection
  readonly #items = new Queue<TOut>()
  readonly #result = deferred<TResult>()
  readonly #opened = deferred<void>()
  #cid = 0
  #started: TStarted | undefined
  #hasStarted = false
  #settled = false
  #ended = false
  readonly #received = new ReceiveWindow()
  readonly #sizes = new Queue<number>()
  readonly #sending = new SendWindow()
  #itemWaiter: Deferred<IteratorResult<TOut, undefined>> | undefined

  /** @internal Portals open contexts; see `portal.openContext()`. */
  constructor(connection: ActorConnection, module: string, name: string, args: unknown[]) {
    this.#connection = connection
    // A result nobody asked for must not become an unhandled rejection.
    this.#result.promise.catch(() => {})
    const sink: TaskSink = {
      kind: TaskKind.Context,
      started: (value) => {
        this.#started = value as TStarted
        this.#hasStarted = true
        this.#opened.resolve()
      },
      item: (value, bytes) => {
        const waiter = this.#itemWaiter
        if (waiter) {
          this.#itemWaiter = undefined
          this.#taken(bytes)
          waiter.resolve({ done: false, value: value as TOut })
        } else {
          this.#items.push(value as TOut)
          this.#sizes.push(bytes)
        }
      },
      credit: (n, bytes) => this.#sending.grant(n, bytes),
      settle: (ok, value) => this.#settle(ok, value),
    }
    this.#cid = connection.start(TaskKind.Context, module, name, args, sink)
  }

  /**
   * @internal Resolves once the remote called `ctx.started()`; rejects with
   * what it threw when it failed before that.
   */
  async whenStarted(): Promise<void> {
    await this.#opened.promise
    if (!this.#hasStarted) await this.#result.promise
  }

  /** What the remote passed to `ctx.started(value)`. */
  get started(): TStarted {
    return this.#started as TStarted
  }

  /**
   * Send one value to the remote's loop over `ctx`. Resolves once it is on its
   * way; waits while the remote has a window of unread values (backpressure).
   *
   * @throws TypeError when the value cannot be sent.
   * @throws HarrowError after `end()`, or once the remote function has finished.
   */
  async send(value: TIn): Promise<void> {
    assertSendable(value, 'ctx.send value')
    await this.#sending.wait(() => this.#settled || this.#ended)
    if (this.#ended) throw new HarrowError('ctx.send() after ctx.end()')
    if (this.#settled) throw new HarrowError('ctx.send() after the remote context function finished')
    this.#sending.sent(this.#connection.send([Op.Send, this.#cid, value]))
  }

  /** Tell the remote there is nothing more to send: its loop over `ctx` finishes. Idempotent. */
  end(): void {
    if (this.#ended) return
    this.#ended = true
    if (!this.#settled) this.#connection.send([Op.End, this.#cid])
    this.#wakeSenders()
  }

  /** What the remote sends, until its function returns. */
  async *[Symbol.asyncIterator](): AsyncGenerator<TOut, void, undefined> {
    for (;;) {
      if (this.#items.length > 0) {
        const value = this.#items.shift() as TOut
        this.#taken(this.#sizes.shift() ?? 0)
        yield value
        continue
      }
      if (this.#settled) {
        // Surface a failure here too, so a loop over a failed context throws.
        await this.#result.promise
        return
      }
      this.#itemWaiter = deferred()
      const next = await this.#itemWaiter.promise
      if (next.done) {
        await this.#result.promise
        return
      }
      yield next.value
    }
  }

  /** What the remote context function returned; rejects with what it threw. */
  result(): Promise<TResult> {
    return this.#result.promise
  }

  /** Cancel the remote function and wait (bounded) for it to finish. */
  async cancel(): Promise<void> {
    if (this.#settled) return
    this.#connection.cancelTask(this.#cid)
    await within(
      this.#result.promise.catch(() => {}),
      TASK_CANCEL_BOUND,
    )
  }

  /** Leaving an `await using` block cancels a context that is still running. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.cancel()
  }

  #taken(bytes: number): void {
    const credit = this.#received.take(bytes)
    if (credit && !this.#settled) this.#connection.send([Op.Credit, this.#cid, ...credit])
  }

  #wakeSenders(): void {
    this.#sending.wake()
  }

  #settle(ok: boolean, value: unknown): void {
    this.#settled = true
    if (ok) this.#result.resolve(value as TResult)
    else this.#result.reject(value)
    this.#opened.resolve()
    this.#wakeSenders()
    const waiter = this.#itemWaiter
    this.#itemWaiter = undefined
    waiter?.resolve({ done: true, value: undefined })
  }
}
