/** `Context`: the parent's side of a two-way context opened with `portal.openContext()`. */

import { deferred, within } from '../shared/async.js'
import { assertSendable } from '../wire/sendable.js'
import { TASK_CANCEL_BOUND, type ActorConnection, type TaskSink } from './connection.js'
import { HarrowError, addCallSite, type CallSite } from '../shared/errors.js'
import { SendWindow } from '../wire/flow.js'
import { Inbox } from '../wire/inbox.js'
import { Op, TaskKind } from '../wire/protocol.js'

/**
 * Where a context is. `open`: the parent may send. `ended`: the parent called
 * `end()`; the remote still runs and sends. `finished`: the remote function
 * returned or threw. `finished-after-end`: the same, after the parent's
 * `end()`, which stays the reason a later `send()` is refused.
 */
type Phase = 'open' | 'ended' | 'finished' | 'finished-after-end'

/**
 * A two-way conversation with one remote context function. `started` is what
 * the remote passed to `ctx.started()`; `send` and `end` talk to the remote's
 * loop over `ctx`; iterating the context yields what the remote sends until its
 * function returns; `result()` is what it returned.
 */
export class Context<TStarted = unknown, TIn = unknown, TOut = unknown, TResult = unknown> implements AsyncIterable<TOut>, AsyncDisposable {
  readonly #connection: ActorConnection
  readonly #result = deferred<TResult>()
  /** Resolves `true` once the remote called `ctx.started()`, `false` when it finished first. */
  readonly #opened = deferred<boolean>()
  #cid = 0
  readonly #site: CallSite | undefined
  #started: TStarted | undefined
  #phase: Phase = 'open'
  readonly #inbox = new Inbox<TOut>((items, bytes) => {
    if (!this.#finished) this.#connection.send([Op.Credit, this.#cid, items, bytes])
  })
  readonly #sending = new SendWindow()

  /** @internal Portals open contexts; see `portal.openContext()`. `site` is where the caller opened it. */
  constructor(connection: ActorConnection, module: string, name: string, args: unknown[], site?: CallSite) {
    this.#connection = connection
    this.#site = site
    // A result nobody asked for must not become an unhandled rejection.
    this.#result.promise.catch(() => {})
    const sink: TaskSink = {
      kind: TaskKind.Context,
      started: (value) => {
        this.#started = value as TStarted
        this.#opened.resolve(true)
      },
      item: (value, bytes) => this.#inbox.push(value as TOut, bytes),
      blocked: () => this.#inbox.blocked(),
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
    if (!(await this.#opened.promise)) await this.#result.promise
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
    await this.#sending.wait(
      () => this.#phase !== 'open',
      () => this.#connection.send([Op.Blocked, this.#cid]),
    )
    if (this.#phase === 'ended' || this.#phase === 'finished-after-end') throw new HarrowError('ctx.send() after ctx.end()')
    if (this.#phase === 'finished') throw new HarrowError('ctx.send() after the remote context function finished')
    this.#sending.sent(this.#connection.send([Op.Send, this.#cid, value]))
  }

  /** Tell the remote there is nothing more to send: its loop over `ctx` finishes. Idempotent. */
  end(): void {
    switch (this.#phase) {
      case 'open':
        this.#phase = 'ended'
        this.#connection.send([Op.End, this.#cid])
        break
      case 'finished':
        this.#phase = 'finished-after-end'
        break
      case 'ended':
      case 'finished-after-end':
        return
    }
    this.#sending.wake()
  }

  /** What the remote sends, until its function returns. */
  async *[Symbol.asyncIterator](): AsyncGenerator<TOut, void, undefined> {
    for (;;) {
      if (this.#inbox.length > 0) {
        yield this.#inbox.take()
        continue
      }
      if (this.#finished) {
        // Surface a failure here too, so a loop over a failed context throws.
        await this.#result.promise
        return
      }
      await this.#inbox.wait()
    }
  }

  /** What the remote context function returned; rejects with what it threw. */
  result(): Promise<TResult> {
    return this.#result.promise
  }

  /** Cancel the remote function and wait (bounded) for it to finish. */
  async cancel(): Promise<void> {
    if (this.#finished) return
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

  get #finished(): boolean {
    return this.#phase === 'finished' || this.#phase === 'finished-after-end'
  }

  #settle(ok: boolean, value: unknown): void {
    this.#phase = this.#phase === 'ended' ? 'finished-after-end' : 'finished'
    if (ok) this.#result.resolve(value as TResult)
    else {
      addCallSite(value, this.#site)
      this.#result.reject(value)
    }
    this.#opened.resolve(false)
    this.#sending.wake()
    this.#inbox.close()
  }
}
