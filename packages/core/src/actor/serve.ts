/** The actor's side of the protocol: run the tasks a parent starts, with flow control and cancellation. */

import { isThenable } from '../shared/async.js'
import { boxError, isCancellation } from '../wire/box.js'
import type { Channel } from '../wire/channel.js'
import { assertSendable } from '../wire/sendable.js'
import { smallValueBytes } from '../wire/small-value.js'
import { ActorCancelledError, HarrowError, ModuleNotEnabledError, ProtocolError } from '../shared/errors.js'
import { SendWindow } from '../wire/flow.js'
import { DEFAULT_MAX_FRAME_SIZE } from '../wire/frames.js'
import { Inbox } from '../wire/inbox.js'
import { Op, TaskKind, type ActorIdentity, type ChildMessage, type ParentMessage, type StartTarget } from '../wire/protocol.js'
import type { ActorInfo, TaskInfo } from '../shared/realm.js'
import { ItemBatch, batchBudget } from './item-batch.js'
import { IteratorFailed, pull } from './pull.js'
import { isContextFunction, runTask, type ActorContext } from './task.js'

type Namespace = Readonly<Record<string, unknown>>

/** A function the parent named, and the export it resolves to once looked up. */
interface Named {
  readonly module: string
  readonly name: string
  fn: ((...args: unknown[]) => unknown) | undefined
}

/** The kinds of task that outlive the message that started them. */
type LongTaskKind = typeof TaskKind.Stream | typeof TaskKind.Context

/** One task the actor runs for its parent. */
class RunningTask {
  #controller: AbortController | undefined
  #cancelled = false
  #reason: unknown
  #sending: SendWindow | undefined
  /** What the parent sent to a context and the context has not read yet; made by the server on first use. */
  inbox: Inbox<unknown> | undefined

  /**
   * Aborts when the task is cancelled. Made on first use: most calls never
   * look at their signal, and an AbortController is the costliest part of
   * starting a task on Node 20.
   */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController()
      if (this.#cancelled) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  /** Why the task was cancelled, once it was. */
  get reason(): unknown {
    return this.#reason
  }

  get cancelled(): boolean {
    return this.#cancelled
  }

  /** What this task may still yield before the parent grants more. */
  get sending(): SendWindow {
    return (this.#sending ??= new SendWindow())
  }

  cancel(reason: unknown): void {
    if (this.#cancelled) return
    this.#cancelled = true
    this.#reason = reason
    this.#controller?.abort(reason)
    this.#sending?.wake()
    this.inbox?.close()
  }

  /**
   * Resolves when the window is open (after a turn of the event loop every FLOW_WINDOW items) or the task was
   * cancelled; `blocked` tells the parent when the item window is spent.
   */
  waitCredit(blocked: () => void): Promise<void> {
    return this.sending.wait(() => this.#cancelled, blocked)
  }
}

/** What `currentTask()` returns for a task: its signal is made only if asked for. */
class TaskView implements TaskInfo {
  readonly #task: RunningTask
  readonly actor: ActorInfo

  constructor(task: RunningTask, actor: ActorInfo) {
    this.#task = task
    this.actor = actor
  }

  get signal(): AbortSignal {
    return this.#task.signal
  }
}

// Without node:util: its namespace costs milliseconds at every actor's start (see builtins.ts).
const AsyncGeneratorFunction = (Object.getPrototypeOf(async function* () {}) as { constructor: new () => unknown }).constructor
const GeneratorFunction = (Object.getPrototypeOf(function* () {}) as { constructor: new () => unknown }).constructor

/** An async or a sync generator function: its calls are streams. */
function isGeneratorFunction(fn: unknown): boolean {
  return fn instanceof AsyncGeneratorFunction || fn instanceof GeneratorFunction
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
  /** Functions the parent named on this channel, by id. */
  readonly #functions = new Map<number, Named>()
  readonly #batchBudget: number
  #highestCid = 0

  /** @param maxFrameSize the channel's largest frame, which a batch of stream items stays well within. @default 64 MiB */
  constructor(
    channel: Channel<ParentMessage, ChildMessage>,
    self: ActorIdentity,
    info: ActorInfo,
    modules: ReadonlyMap<string, Namespace>,
    maxFrameSize: number = DEFAULT_MAX_FRAME_SIZE,
  ) {
    this.#channel = channel
    this.#self = self
    this.#info = info
    this.#modules = modules
    this.#batchBudget = batchBudget(maxFrameSize)
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
        const [, cid, kind, target, args] = message
        if (cid <= this.#highestCid) throw new ProtocolError('out-of-order', `task id ${cid} was already used`)
        this.#highestCid = cid
        const named = this.#named(target)
        const task = new RunningTask()
        // A synchronous export answers before this returns, with no promise and no entry in the task table.
        const pending =
          kind === TaskKind.Call
            ? this.#call(cid, task, named, args)
            : kind === TaskKind.Bound
              ? this.#bound(cid, task, named, args)
              : this.#run(cid, task, kind, named, args)
        if (pending) this.#tasks.set(cid, { task, done: pending.finally(() => this.#tasks.delete(cid)) })
        return
      }
      case Op.Cancel:
        this.#task(message[1])?.cancel(new ActorCancelledError(`task ${message[1]} was cancelled by the parent`, { actor: this.#self }))
        return
      case Op.Credit:
        this.#task(message[1])?.sending.grant(message[2], message[3])
        return
      case Op.Blocked: {
        const task = this.#task(message[1])
        if (task) this.#inboxOf(message[1], task).blocked()
        return
      }
      case Op.Send: {
        const task = this.#task(message[1])
        if (task) this.#inboxOf(message[1], task).push(message[2], bytes)
        return
      }
      case Op.End: {
        const task = this.#task(message[1])
        if (task) this.#inboxOf(message[1], task).close()
        return
      }
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

  /** A task's inbox for what the parent sends it; made on first use, since most tasks are calls that take none. */
  #inboxOf(cid: number, task: RunningTask): Inbox<unknown> {
    return (task.inbox ??= new Inbox((items, bytes) => this.#channel.send([Op.Credit, cid, items, bytes])))
  }

  /** The function a `Start` names: by id, introduced by the first `Start` that uses it. */
  #named(target: StartTarget): Named {
    if (typeof target !== 'number') {
      const [fnId, module, name] = target
      if (this.#functions.has(fnId)) throw new ProtocolError('out-of-order', `function id ${fnId} was named twice`)
      const named: Named = { module, name, fn: undefined }
      this.#functions.set(fnId, named)
      return named
    }
    const named = this.#functions.get(target)
    if (!named) throw new ProtocolError('out-of-order', `function id ${target} was never named`)
    return named
  }

  /**
   * The enabled export a `Start` names, resolved once per function id.
   *
   * @throws ModuleNotEnabledError for a module the actor was not started with.
   * @throws TypeError for a missing export or one that is not a function.
   */
  #lookup(named: Named): (...args: unknown[]) => unknown {
    if (named.fn) return named.fn
    const { module, name } = named
    const namespace = this.#modules.get(module)
    if (!namespace) throw new ModuleNotEnabledError(module)
    if (!Object.prototype.hasOwnProperty.call(namespace, name)) throw new TypeError(`module '${module}' has no export named '${name}'`)
    const fn = namespace[name]
    if (typeof fn !== 'function') throw new TypeError(`export '${name}' of '${module}' is not a function`)
    named.fn = fn as (...args: unknown[]) => unknown
    return named.fn
  }

  /**
   * A call: the function runs at once in its task scope. A synchronous
   * result is answered before this returns (`undefined`); otherwise the
   * returned promise settles once the answer is sent.
   */
  #call(cid: number, task: RunningTask, named: Named, args: unknown[]): Promise<void> | undefined {
    let result: unknown
    const { name } = named
    try {
      const fn = this.#lookup(named)
      if (isGeneratorFunction(fn)) throw new TypeError(`${name} is a generator function: iterate it with portal.stream()`)
      if (isContextFunction(fn)) throw new TypeError(`${name} is a context function: open it with portal.openContext()`)
      result = runTask(new TaskView(task, this.#info), () => fn(...args))
    } catch (error) {
      this.#fail(cid, task, error)
      return undefined
    }
    if (!isThenable(result)) {
      this.#return(cid, task, result)
      return undefined
    }
    return Promise.resolve(result).then(
      (value) => this.#return(cid, task, value),
      (error: unknown) => this.#fail(cid, task, error),
    )
  }

  /** A bound call: a generator function answers as a stream (announced by `Started`), anything else as a call. */
  #bound(cid: number, task: RunningTask, named: Named, args: unknown[]): Promise<void> | undefined {
    let fn: unknown
    try {
      fn = this.#lookup(named)
    } catch {
      // #call reports why the lookup failed.
      return this.#call(cid, task, named, args)
    }
    if (!isGeneratorFunction(fn)) return this.#call(cid, task, named, args)
    this.#channel.send([Op.Started, cid, undefined])
    return this.#run(cid, task, TaskKind.Stream, named, args)
  }

  #return(cid: number, task: RunningTask, value: unknown): void {
    try {
      assertSendable(value, 'return value')
    } catch (error) {
      this.#fail(cid, task, error)
      return
    }
    this.#channel.send([Op.Return, cid, value])
  }

  /**
   * Answer with what the task threw. A task that unwinds because it was
   * cancelled reports a cancellation; one that fails for real, even while
   * being cancelled, reports its failure, so simultaneous failures are never
   * lost to a cancel cascade.
   */
  #fail(cid: number, task: RunningTask, error: unknown): void {
    const box = boxError(error, this.#self)
    this.#channel.send([Op.Error, cid, task.cancelled && isCancellation(error, task.reason) ? { ...box, cancelled: true } : box])
  }

  /** A stream or a context, which always live past the message that started them. */
  async #run(cid: number, task: RunningTask, kind: LongTaskKind, named: Named, args: unknown[]): Promise<void> {
    try {
      const fn = this.#lookup(named)
      const value = await runTask(new TaskView(task, this.#info), () => this.#perform(cid, task, kind, fn, named.name, args))
      if (kind === TaskKind.Context) this.#return(cid, task, value)
    } catch (error) {
      this.#fail(cid, task, error)
    }
  }

  async #perform(cid: number, task: RunningTask, kind: LongTaskKind, fn: (...args: unknown[]) => unknown, name: string, args: unknown[]): Promise<unknown> {
    switch (kind) {
      case TaskKind.Stream:
        if (isContextFunction(fn)) throw new TypeError(`${name} is a context function: open it with portal.openContext()`)
        await this.#pump(cid, task, toAsyncIterator(fn(...args), name))
        return undefined
      case TaskKind.Context:
        if (!isContextFunction(fn)) throw new TypeError(`${name} is not wrapped in context(...): call it with portal.run() or portal.stream()`)
        return await fn(new RemoteContext(this.#channel, cid, task, this.#inboxOf(cid, task)), ...args)
    }
  }

  async #pump(cid: number, task: RunningTask, iterator: AsyncIterator<unknown> | Iterator<unknown>): Promise<void> {
    let finished = false
    const batch = new ItemBatch(this.#channel, cid, task.sending, this.#batchBudget)
    // Small items go into the batch as they come; anything else, or an item that comes after a cancel, comes back here.
    const take = (value: unknown): boolean => {
      if (task.cancelled) return false
      const bound = smallValueBytes(value)
      if (bound === undefined) return false
      batch.push(value, bound)
      return true
    }
    const more = (): boolean => task.sending.ready && !task.cancelled
    try {
      for (;;) {
        // The window is spent, or FLOW_WINDOW items went by since the event loop last turned (see SendWindow.wait).
        if (!task.sending.ready) {
          batch.flush()
          await task.waitCredit(() => this.#channel.send([Op.Blocked, cid]))
        }
        if (task.cancelled) break
        let step: IteratorResult<unknown> | undefined
        try {
          step = await pull(iterator, take, more)
        } catch (error) {
          if (!(error instanceof IteratorFailed)) throw error
          // The generator threw: its finally has already run.
          finished = true
          throw error.cause
        }
        if (step === undefined) continue
        if (step.done) {
          finished = true
          assertSendable(step.value, 'return value')
          batch.flush()
          this.#channel.send([Op.Return, cid, step.value])
          return
        }
        if (task.cancelled) break
        assertSendable(step.value, 'yielded value')
        batch.flush()
        task.sending.sent(this.#channel.send([Op.Yield, cid, step.value]))
      }
    } catch (error) {
      // What was yielded before the failure reaches the parent before it.
      batch.flush()
      throw error
    } finally {
      // Leaving early (cancelled, or an unsendable item) runs the generator's finally.
      if (!finished) await iterator.return?.()
    }
    batch.drop()
    throw task.reason
  }
}

/** The remote end of a context: what a context function receives as `ctx`. */
class RemoteContext<TStarted, TIn, TOut> implements ActorContext<TStarted, TIn, TOut> {
  readonly #channel: Channel<ParentMessage, ChildMessage>
  readonly #cid: number
  readonly #task: RunningTask
  readonly #inbox: Inbox<unknown>
  #started = false

  constructor(channel: Channel<ParentMessage, ChildMessage>, cid: number, task: RunningTask, inbox: Inbox<unknown>) {
    this.#channel = channel
    this.#cid = cid
    this.#task = task
    this.#inbox = inbox
  }

  get signal(): AbortSignal {
    return this.#task.signal
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
    await this.#task.waitCredit(() => this.#channel.send([Op.Blocked, this.#cid]))
    if (this.#task.cancelled) throw this.#task.reason
    this.#task.sending.sent(this.#channel.send([Op.Yield, this.#cid, value]))
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TIn, void, undefined> {
    const task = this.#task
    const inbox = this.#inbox
    for (;;) {
      // Cancelling the task closes its inbox, which wakes this wait.
      if (inbox.length === 0 && !task.cancelled) await inbox.wait()
      if (task.cancelled) throw task.reason
      // Empty and closed: the parent called end().
      if (inbox.length === 0) return
      yield inbox.take() as TIn
    }
  }
}
