/** The parent's end of an actor channel: call ids, dispatch of what the child sends, and why it closed. */

import type { ProcHandle, Transport } from '../shared/contracts.js'
import { deferred, type Deferred, within, withinGrace, TIMED_OUT } from '../shared/async.js'
import { unboxError, unboxFailure } from '../wire/box.js'
import { Channel } from '../wire/channel.js'
import { FLOW_WINDOW } from '../wire/flow.js'
import { ActorCancelledError, ActorFailure, ChannelClosedError, ProtocolError, describeSystemError, type RemoteActorError } from '../shared/errors.js'
import {
  Op,
  PROTOCOL_VERSION,
  asChildMessage,
  type ChildMessage,
  type ParentMessage,
  type SpawnSpec,
  type StartTarget,
  type TaskKind,
} from '../wire/protocol.js'
import type { ActorInfo } from '../shared/realm.js'
import { hold, release } from './keep-alive.js'

/** How long a closed channel waits for its process to report an exit, so callers see an exit code. */
const EXIT_REPORT_GRACE = 1000

/** How long leaving a stream or context early waits for the cancelled remote task to finish (its `finally` blocks), in ms. */
export const TASK_CANCEL_BOUND = 5000

/** Receives what the child sends for one task. */
export interface TaskSink {
  readonly kind: TaskKind
  /** A context's first value. */
  started?(value: unknown): void
  /** A stream item or a context's send, with its frame's size. */
  item?(value: unknown, bytes: number): void
  /** The child spent its item window for this task and waits for credit. */
  blocked?(): void
  /** The child took `n` of the parent's sends, `bytes` in all (contexts). */
  credit?(n: number, bytes: number): void
  /** The task ended: its return value, or why it failed. Called once. */
  settle(ok: boolean, value: unknown): void
}

/**
 * Where the actor is, as its parent sees it. `hello`: nothing received yet.
 * `booting`: it said hello and imports its modules. `serving`: it is ready
 * and runs tasks. `stopping`: the parent is stopping it, so its end is a
 * cancellation. `abandoned`: the parent gave up on it before it was ready.
 */
type Phase = 'hello' | 'booting' | 'serving' | 'stopping' | 'abandoned'

interface PendingTask {
  readonly sink: TaskSink
  /** A `Cancel` was sent: items are dropped until the terminal message. */
  cancelling: boolean
  /** A context's `Started` has arrived. */
  started: boolean
}

/**
 * The parent's end of the channel to one child. It allocates call ids, routes
 * what the child sends to the task that waits for it, and turns the end of the
 * channel into the error every pending task rejects with.
 */
export class ActorConnection {
  readonly actor: ActorInfo
  readonly #proc: ProcHandle
  readonly #channel: Channel<ChildMessage, ParentMessage>
  readonly #tasks = new Map<number, PendingTask>()
  readonly #ready = deferred<void>()
  readonly #closed = deferred<Error>()
  readonly #cancelAcks = new Set<Deferred<boolean>>()
  /** CancelActor was sent: nothing more is. */
  #cancelSent = false
  #nextCid = 1
  /** Ids of the functions called on this channel, by module, then export name. */
  readonly #fnIds = new Map<string, Map<string, number>>()
  // The link's round trip is the same for every stream on it, so a stream starts where the ones before it grew to.
  // One stream at a time holds that window: streams side by side with slow consumers do not each buffer all of it.
  #streamWindow = FLOW_WINDOW
  #nextFnId = 1
  #phase: Phase = 'hello'
  #actorError: RemoteActorError | undefined

  constructor(transport: Transport, actor: ActorInfo, proc: ProcHandle) {
    this.actor = actor
    this.#proc = proc
    // A ready promise nobody awaits (the spawn was abandoned) must not be an unhandled rejection.
    this.#ready.promise.catch(() => {})
    this.#channel = new Channel<ChildMessage, ParentMessage>(transport, asChildMessage, {
      message: (message, bytes) => this.#dispatch(message, bytes),
      closed: (error) => void this.#onClose(error),
    })
  }

  /** Resolves once the child has imported its modules and serves; rejects when it fails to boot. */
  get ready(): Promise<void> {
    return this.#ready.promise
  }

  /** Resolves, with the error pending tasks got, once the channel has closed and every task settled. */
  get closed(): Promise<Error> {
    return this.#closed.promise
  }

  /** True once the channel closed. */
  get isClosed(): boolean {
    return this.#channel.closed
  }

  /**
   * The item window for a stream starting now: the largest one that ended on
   * this channel grew to, FLOW_WINDOW when none did or another stream holds
   * it. The stream gives it back when it ends ({@link returnStreamWindow}).
   */
  takeStreamWindow(): number {
    const window = this.#streamWindow
    this.#streamWindow = FLOW_WINDOW
    return window
  }

  /** A stream ended with an item window of `window`: the next stream may start there. */
  returnStreamWindow(window: number): void {
    if (window > this.#streamWindow) this.#streamWindow = window
  }

  /** Mark that the parent is stopping this actor: its end is then a cancellation, not a failure. */
  markStopping(): void {
    if (this.#phase === 'serving') this.#phase = 'stopping'
    else if (this.#phase === 'hello' || this.#phase === 'booting') this.#phase = 'abandoned'
  }

  /** Send the spawn spec. Pipelined: the child reads it after its hello. */
  sendSpec(spec: SpawnSpec): void {
    this.#channel.send([Op.Spec, spec])
  }

  /**
   * Start a task. Args must already have passed `assertSendable`. Returns the
   * call id, or settles the sink at once when the channel has closed.
   */
  start(kind: TaskKind, module: string, name: string, args: unknown[], sink: TaskSink): number {
    const cid = this.#nextCid++
    if (this.#channel.closed) {
      // Late calls learn what every pending call learnt: the reason is settled once the child's exit is known.
      void this.#closed.promise.then((reason) => sink.settle(false, reason))
      return cid
    }
    // A task in flight keeps the program alive; an idle actor does not.
    if (this.#tasks.size === 0) hold()
    this.#tasks.set(cid, { sink, cancelling: false, started: false })
    this.#write([Op.Start, cid, kind, this.#target(module, name), args])
    return cid
  }

  /** The function's id on this channel; the first call also names it. */
  #target(module: string, name: string): StartTarget {
    let names = this.#fnIds.get(module)
    if (!names) this.#fnIds.set(module, (names = new Map<string, number>()))
    const known = names.get(name)
    if (known !== undefined) return known
    const fnId = this.#nextFnId++
    names.set(name, fnId)
    return [fnId, module, name]
  }

  /** Send a context value, an end, or credit for `cid`. Returns the frame's size. */
  send(message: ParentMessage): number {
    return this.#write(message)
  }

  /**
   * Ask the child to cancel task `cid`. Items it still sends are dropped; the
   * task's sink is settled when its terminal message arrives or the channel closes.
   */
  cancelTask(cid: number): void {
    const task = this.#tasks.get(cid)
    if (!task || task.cancelling) return
    task.cancelling = true
    this.#write([Op.Cancel, cid])
  }

  /**
   * Ask the actor to cancel everything and exit. Resolves `true` once it
   * acknowledged, `false` when the channel closed or `timeout` ms passed first.
   */
  async cancelActor(timeout: number): Promise<boolean> {
    if (this.#channel.closed) return false
    this.markStopping()
    const ack = deferred<boolean>()
    this.#cancelAcks.add(ack)
    this.#write([Op.CancelActor])
    this.#cancelSent = true
    const outcome = await within(ack.promise, timeout)
    this.#cancelAcks.delete(ack)
    return outcome === true
  }

  /**
   * Send `message`, unless the actor was asked to cancel everything: it ignores what follows, and leaves as soon as
   * its last frames are flushed (a parent write after that would fail with EPIPE and lose them). A task started
   * then settles when the channel closes. Returns the frame's size.
   */
  #write(message: ParentMessage): number {
    return this.#cancelSent ? 0 : this.#channel.send(message)
  }

  /** Close the channel from the parent's side. */
  close(): void {
    this.#channel.close()
  }

  #outOfOrder(what: string): ProtocolError {
    return new ProtocolError('out-of-order', `actor '${this.actor.name}' sent ${what}`, { actor: this.actor })
  }

  #dispatch(message: ChildMessage, bytes: number): void {
    switch (this.#phase) {
      case 'hello':
        if (message[0] !== Op.Hello) throw this.#outOfOrder(`opcode ${message[0]} before its hello`)
        if (message[1] !== PROTOCOL_VERSION) {
          throw new ProtocolError('version', `actor '${this.actor.name}' speaks protocol ${message[1]}, this parent ${PROTOCOL_VERSION}`, { actor: this.actor })
        }
        this.#phase = 'booting'
        return
      case 'abandoned':
        // The spawn gave up on this actor and closes its channel: what it still says is moot.
        return
      case 'booting':
      case 'serving':
      case 'stopping':
        break
    }
    switch (message[0]) {
      case Op.Hello:
        throw this.#outOfOrder('a second hello')
      case Op.Ready:
        if (this.#phase !== 'booting') throw this.#outOfOrder('a second ready')
        this.#phase = 'serving'
        this.#ready.resolve()
        return
      case Op.CancelAck:
        for (const ack of this.#cancelAcks) ack.resolve(true)
        return
      case Op.Error:
        if (message[1] === 0) {
          const error = unboxError(message[2])
          if (this.#phase === 'booting') this.#ready.reject(error)
          // Reported before the parent began stopping the actor: its own failure, not a consequence of the stop.
          else if (this.#phase === 'serving') this.#actorError ??= error
          return
        }
        this.#terminal(message[1], false, unboxFailure(message[2]))
        return
      case Op.Return:
        this.#terminal(message[1], true, message[2])
        return
      case Op.Yield: {
        this.#itemTaker(message[1])?.sink.item?.(message[2], bytes)
        return
      }
      case Op.Items: {
        const sink = this.#itemTaker(message[1])?.sink
        if (!sink) return
        // Each item is counted with its share of the frame, in whole bytes (credit travels as integers).
        const values = message[2]
        const share = Math.floor(bytes / values.length)
        sink.item?.(values[0], bytes - share * (values.length - 1))
        for (let i = 1; i < values.length; i++) sink.item?.(values[i], share)
        return
      }
      case Op.Started: {
        const task = this.#task(message[1], 'a started value')
        if (!task.sink.started || task.started) throw this.#outOfOrder(`a started value for task ${message[1]}, which takes none now`)
        task.started = true
        if (!task.cancelling) task.sink.started(message[2])
        return
      }
      case Op.Blocked:
        this.#itemTaker(message[1])?.sink.blocked?.()
        return
      case Op.Credit: {
        const task = this.#task(message[1], 'credit')
        if (!task.sink.credit) throw this.#outOfOrder(`credit for task ${message[1]}, which sends nothing`)
        task.sink.credit(message[2], message[3])
        return
      }
    }
  }

  /** Task `cid`, which takes items now; `undefined` while it is being cancelled (its items are dropped). */
  #itemTaker(cid: number): PendingTask | undefined {
    const task = this.#task(cid, 'an item')
    if (task.cancelling) return undefined
    if (!task.sink.item || (task.sink.started && !task.started)) throw this.#outOfOrder(`an item for task ${cid}, which takes none now`)
    return task
  }

  #task(cid: number, what: string): PendingTask {
    if (this.#phase === 'booting') throw this.#outOfOrder(`${what} before it was ready`)
    const task = this.#tasks.get(cid)
    if (!task) throw this.#outOfOrder(`${what} for task ${cid}, which is not running`)
    return task
  }

  #terminal(cid: number, ok: boolean, value: unknown): void {
    const task = this.#task(cid, ok ? 'a result' : 'an error')
    this.#tasks.delete(cid)
    if (this.#tasks.size === 0) release()
    // Once the caller cancelled this task, whatever it ended with is that cancellation.
    if (task.cancelling) {
      task.sink.settle(false, new ActorCancelledError(`task ${cid} in actor '${this.actor.name}' was cancelled`, { actor: this.actor }))
    } else {
      task.sink.settle(ok, value)
    }
  }

  async #onClose(error: Error | undefined): Promise<void> {
    if (error instanceof ProtocolError && error.actor === undefined) error.actor = this.actor
    const reason = await this.#failure(error)
    this.#ready.reject(reason)
    for (const ack of this.#cancelAcks) ack.resolve(false)
    const tasks = [...this.#tasks.values()]
    this.#tasks.clear()
    if (tasks.length > 0) release()
    for (const task of tasks) task.sink.settle(false, reason)
    this.#closed.resolve(reason)
  }

  async #failure(error: Error | undefined): Promise<Error> {
    if (error instanceof ProtocolError) return error
    // Before the stop check: an actor that failed on its own (its pending calls then unwind as cancelled,
    // and the parent starts stopping it in reaction) must still be reported with its own error.
    if (this.#actorError) return this.#actorError
    if (this.#phase === 'stopping' || this.#phase === 'abandoned')
      return new ActorCancelledError(`actor '${this.actor.name}' was cancelled`, { actor: this.actor })
    // Read before waiting: the parent may start stopping the actor meanwhile, which does not change when it died.
    const phase = this.#phase === 'serving' ? 'running' : 'boot'
    const exit = this.#proc.exit ?? (await withinGrace(this.#proc.wait(), EXIT_REPORT_GRACE))
    if (exit === TIMED_OUT) {
      return new ChannelClosedError(`the channel to actor '${this.actor.name}' closed${error ? `: ${error.message}` : ''}`, {
        actor: this.actor,
        ...(error ? { cause: error } : {}),
      })
    }
    return new ActorFailure({
      actor: this.actor,
      exitCode: exit.code,
      signal: exit.signal,
      phase,
      ...(exit.error ? { cause: exit.error, reason: describeSystemError(exit.error) } : {}),
    })
  }
}
