/** The actor's side of the protocol: run the tasks a parent starts, with flow control and cancellation. */

import { types } from 'node:util'
import { deferred, type Deferred } from './async.js'
import { boxError, isCancellation } from './box.js'
import type { Channel } from './channel.js'
import { assertSendable } from './codec.js'
import { ActorCancelledError, HarrowError, ModuleNotEnabledError, ProtocolError } from './errors.js'
import { ReceiveWindow, SendWindow } from './flow.js'
import { Op, TaskKind, type ActorIdentity, type ChildMessage, type ParentMessage } from './protocol.js'
import { Queue } from './queue.js'
import type { ActorInfo } from './runtime.js'
import { isContextFunction, runTask, type ActorContext } from './task.js'

type Namespace = Readonly<Record<string, unknown>>

/** One task the actor runs for its parent. */
class RunningTask {
  readonly controller = new AbortController()
  /** What this task may still yield before the parent grants more. */
  readonly sending = new SendWindow()
  /** What the parent sent to a context, not yet read, with each frame's size. */
  readonly inbox = new Queue<{ value: unknown; bytes: number }>()
  /** The parent's sends taken, not yet granted back. */
  readonly received = new ReceiveWindow()
  inboxEnded = false
  #inboxWaiter: Deferred<void> | undefined

  get cancelled(): boolean {
    return this.controller.signal.aborted
  }

  cancel(reason: unknown): void {
    this.controller.abort(reason)
    this.sending.wake()
    this.#wakeInbox()
  }

  /** Resolves when the window is open or the task was cancelled. */
  waitCredit(): Promise<void> {
    return this.sending.wait(() => this.cancelled)
  }

  deliver(value: unknown, bytes: number): void {
    this.inbox.push({ value, bytes })
    this.#wakeInbox()
  }

  endInbox(): void {
    this.inboxEnded = true
    this.#wakeInbox()
  }

  /** Resolves when the inbox has a value, has ended, or the task was cancelled. */
  async waitInbox(): Promise<void> {
    while (this.inbox.length === 0 && !this.inboxEnded && !this.cancelled) {
      this.#inboxWaiter = deferred()
      await this.#inboxWaiter.promise
    }
  }

  #wakeInbox(): void {
    const waiter = this.#inboxWaiter
    this.#inboxWaiter = undefined
    waiter?.resolve()
  }
}

function isAsyncGeneratorFunction(fn: unknown): boolean {
  return typeof fn === 'function' && types.isGeneratorFunction(fn) && types.isAsyncFunction(fn)
}

function toAsyncIterator(value: unknown, name: string): AsyncIterator<unknown> | Iterator<unknown> {
  if (typeof value === 'object' && value !== null) {
    const asyncIterate = (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator]
    if (typeof asyncIterate === 'function') return asyncIterate.call(value)
    const iterate = (value as Partial<Iterable<unknown>>)[Symbol.iterator]
    if (typeof iterate === 'function') return iterate.call(value)
  }
  throw new TypeError(`${name}() did not return an async iterable: call it with portal.run()`)
}

/**
 * Serves one parent: looks up enabled exports, runs each `Start` as a task
 * in its own `currentTask()` scope, streams with credit, and answers every
 * task with exactly one terminal message.
 */
export class ActorServer {
  readonly #channel: Channel<ParentMessage, ChildMessage>
  readonly #self: ActorIdentity
  readonly #info: ActorInfo
  readonly #modules: ReadonlyMap<string, Namespace>
  readonly #tasks = new Map<number, { task: RunningTask; done: Promise<void> }>()
  #highestCid = 0

  constructor(channel: Channel<ParentMessage, ChildMessage>, self: ActorIdentity, info: ActorInfo, modules: ReadonlyMap<string, Namespace>) {
    this.#channel = channel
    this.#self = self
    this.#info = info
    this.#modules = modules
  }

  /** Number of tasks still running. */
  get running(): number {
    return this.#tasks.size
  }

  /**
   * Handle one message for a task.
   *
   * @throws ProtocolError for a reused call id or a message for a task that never started.
   */
  handle(message: ParentMessage, bytes = 0): void {
    switch (message[0]) {
      case Op.Start: {
        const [, cid, kind, module, name, args] = message
        if (cid <= this.#highestCid) throw new ProtocolError('out-of-order', `task id ${cid} was already used`)
        this.#highestCid = cid
        const task = new RunningTask()
        const done = this.#run(cid, task, kind, module, name, args).finally(() => this.#tasks.delete(cid))
        this.#tasks.set(cid, { task, done })
        return
      }
      case Op.Cancel:
        this.#task(message[1])?.cancel(new ActorCancelledError(`task ${message[1]} was cancelled by the parent`, { actor: this.#self }))
        return
      case Op.Credit:
        this.#task(message[1])?.sending.grant(message[2], message[3])
        return
      case Op.Send: {
        const task = this.#task(message[1])
        if (task && !task.inboxEnded) task.deliver(message[2], bytes)
        return
      }
      case Op.End:
        this.#task(message[1])?.endInbox()
        return
      case Op.Spec:
      case Op.CancelActor:
        throw new ProtocolError('out-of-order', `opcode ${message[0]} while serving`)
    }
  }

  /** Cancel every running task and wait for each to send its terminal message. */
  async cancelAll(): Promise<void> {
    const running = [...this.#tasks.values()]
    for (const { task } of running) task.cancel(new ActorCancelledError('the actor was cancelled', { actor: this.#self }))
    await Promise.all(running.map(({ done }) => done))
  }

  /** A task that is running, `undefined` for one that already finished, or a protocol error for one never started. */
  #task(cid: number): RunningTask | undefined {
    const entry = this.#tasks.get(cid)
    if (entry) return entry.task
    // Messages for a finished task are normal: they crossed its terminal message on the wire.
    if (cid <= this.#highestCid) return undefined
    throw new ProtocolError('out-of-order', `message for task ${cid}, which was never started`)
  }

  #lookup(module: string, name: string): unknown {
    const namespace = this.#modules.get(module)
    if (!namespace) throw new ModuleNotEnabledError(module)
    if (!Object.prototype.hasOwnProperty.call(namespace, name)) throw new TypeError(`module '${module}' has no export named '${name}'`)
    const fn = namespace[name]
    if (typeof fn !== 'function') throw new TypeError(`export '${name}' of '${module}' is not a function`)
    return fn
  }

  async #run(cid: number, task: RunningTask, kind: TaskKind, module: string, name: string, args: unknown[]): Promise<void> {
    try {
      const fn = this.#lookup(module, name) as (...args: unknown[]) => unknown
      const value = await runTask({ signal: task.controller.signal, actor: this.#info }, () => this.#perform(cid, task, kind, fn, name, args))
      if (kind !== TaskKind.Stream) {
        assertSendable(value, 'return value')
        this.#channel.send([Op.Return, cid, value])
      }
    } catch (error) {
      // A task that unwinds because it was cancelled reports a cancellation; one that fails for real, even
      // while being cancelled, reports its failure, so simultaneous failures are never lost to a cancel cascade.
      const box = boxError(error, this.#self)
      this.#channel.send([Op.Error, cid, isCancellation(error, task.controller.signal) ? { ...box, cancelled: true } : box])
    }
  }

  async #perform(cid: number, task: RunningTask, kind: TaskKind, fn: (...args: unknown[]) => unknown, name: string, args: unknown[]): Promise<unknown> {
    switch (kind) {
      case TaskKind.Call:
        if (isAsyncGeneratorFunction(fn)) throw new TypeError(`${name} is an async generator function: iterate it with portal.stream()`)
        if (isContextFunction(fn)) throw new TypeError(`${name} is a context function: open it with portal.openContext()`)
        return await fn(...args)
      case TaskKind.Stream:
        if (isContextFunction(fn)) throw new TypeError(`${name} is a context function: open it with portal.openContext()`)
        await this.#pump(cid, task, toAsyncIterator(fn(...args), name))
        return undefined
      case TaskKind.Context:
        if (!isContextFunction(fn)) throw new TypeError(`${name} is not wrapped in context(...): call it with portal.run() or portal.stream()`)
        return await fn(new RemoteContext(this.#channel, cid, task), ...args)
    }
  }

  async #pump(cid: number, task: RunningTask, iterator: AsyncIterator<unknown> | Iterator<unknown>): Promise<void> {
    let finished = false
    try {
      for (;;) {
        if (!task.sending.open) await task.waitCredit()
        if (task.cancelled) break
        const step = await iterator.next()
        if (step.done) {
          finished = true
          assertSendable(step.value, 'return value')
          this.#channel.send([Op.Return, cid, step.value])
          return
        }
        if (task.cancelled) break
        assertSendable(step.value, 'yielded value')
        task.sending.sent(this.#channel.send([Op.Yield, cid, step.value]))
      }
    } catch (error) {
      finished = true
      throw error
    } finally {
      // Leaving early (cancelled, or an unsendable item) runs the generator's finally.
      if (!finished) await iterator.return?.()
    }
    throw task.controller.signal.reason
  }
}

/** The remote end of a context: what a context function receives as `ctx`. */
class RemoteContext<TIn, TOut, TStarted> implements ActorContext<TIn, TOut, TStarted> {
  readonly #channel: Channel<ParentMessage, ChildMessage>
  readonly #cid: number
  readonly #task: RunningTask
  #started = false

  constructor(channel: Channel<ParentMessage, ChildMessage>, cid: number, task: RunningTask) {
    this.#channel = channel
    this.#cid = cid
    this.#task = task
  }

  get signal(): AbortSignal {
    return this.#task.controller.signal
  }

  started(value?: TStarted): void {
    if (this.#started) throw new HarrowError('ctx.started() was already called')
    assertSendable(value, 'started value')
    this.#started = true
    this.#channel.send([Op.Started, this.#cid, value])
  }

  async send(value: TOut): Promise<void> {
    assertSendable(value, 'ctx.send value')
    if (!this.#started) this.started()
    await this.#task.waitCredit()
    if (this.#task.cancelled) throw this.#task.controller.signal.reason
    this.#task.sending.sent(this.#channel.send([Op.Yield, this.#cid, value]))
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TIn, void, undefined> {
    const task = this.#task
    for (;;) {
      await task.waitInbox()
      if (task.cancelled) throw task.controller.signal.reason
      const next = task.inbox.shift()
      if (!next) return
      const credit = task.received.take(next.bytes)
      if (credit) this.#channel.send([Op.Credit, this.#cid, ...credit])
      yield next.value as TIn
    }
  }
}
