/** `ActorPool`: N daemon actors of one nursery sharing calls, with least-in-flight dispatch, a bounded queue and supervision. */

import { availableParallelism } from 'node:os'
import { deferred, type Deferred } from '../shared/async.js'
import { ActorCancelledError, ActorPoolError, HarrowError, PoolQueueFullError } from '../shared/errors.js'
import { normalizeModule, type AnyFunction, type FnRef } from '../shared/ref.js'
import { Queue } from '../wire/queue.js'
import { assertSendable } from '../wire/sendable.js'
import { callTarget } from './call-target.js'
import type { ActorOptions } from './nursery.js'
import type { CallOptions, Portal } from './portal.js'
import { PoolBoundCall, PoolStream, type PoolRemote, type StreamJob } from './pool-stream.js'
import type { StreamItem, TypedCallArgs } from './remote-types.js'
import type { ActorHandle } from './spawn.js'

/** How a pool replaces crashed members. */
export interface RestartOptions {
  /** How many member crashes within `window` the pool survives; one more fails its nursery. @default 5 */
  readonly maxRestarts?: number
  /**
   * Delay before a crashed member is replaced, in ms. A number doubles with
   * each crash in a row of that member (capped at 30 s); a function gets the
   * attempt (1, 2, ...) and returns the delay. @default 100
   */
  readonly backoff?: number | ((attempt: number) => number)
  /** The sliding window over which crashes are counted, in ms. @default 60000 */
  readonly window?: number
}

/** Options of `nursery.startPool()`: those of every member, plus the pool's own. */
export interface PoolOptions extends ActorOptions {
  /** How many members. @default os.availableParallelism() */
  readonly size?: number
  /** Calls in flight per member; 1 is right for CPU-bound work. @default 1 */
  readonly concurrency?: number
  /** How many calls may wait for a member. @default Infinity */
  readonly maxQueue?: number
  /**
   * What a call gets when `maxQueue` calls already wait: `'reject'` fails it
   * with `PoolQueueFullError`; `'wait'` holds it (outside the queue) until
   * there is room. @default 'reject'
   */
  readonly whenFull?: 'reject' | 'wait'
  /** Replacement of crashed members. */
  readonly restart?: RestartOptions
  /**
   * When `startPool` resolves: `'first'` once one member serves (calls go to
   * the others as they come up, so the first result costs one actor's
   * start-up, not the slowest of N), `'all'` once every member serves. Either
   * way it rejects when a member fails to boot before any serves; with
   * `'first'`, a member that fails to boot after that counts as a crash and is
   * replaced. @default 'first'
   */
  readonly ready?: 'first' | 'all'
}

/** A snapshot of a pool's counters (see `pool.stats()`). */
export interface PoolStats {
  /** Calls and streams running on members now. */
  readonly inFlight: number
  /** Calls waiting for a member, at most `maxQueue`. */
  readonly queued: number
  /** Calls held because the queue was full (`whenFull: 'wait'`). */
  readonly waiting: number
  /** Calls that returned (or streams that finished) normally. */
  readonly completed: number
  /** Calls that started on a member and failed: a remote error, a crash, a cancellation. */
  readonly failed: number
  /** Members replaced after a crash. */
  readonly restarts: number
  /** Members the pool has now (booting, serving or being replaced). */
  readonly size: number
}

/** Options of `pool.close()`. */
export interface PoolCloseOptions {
  /** `true`: finish every queued and running call first. `false`: fail queued calls and cancel running ones. @default true */
  readonly drain?: boolean
}

/** @internal How a nursery learns that a pool member ended: `undefined` when it was stopped. */
export type Supervisor = (failure: Error | undefined) => void

/** @internal What a pool needs from its nursery. */
export interface PoolHost {
  /** Start a member whose end goes to `supervisor` instead of failing the nursery. */
  spawn(name: string, options: ActorOptions, supervisor: Supervisor): Promise<ActorHandle>
  /** Fail the nursery (one failure cancels all). */
  fail(key: string, error: Error): void
  /** Aborts when the nursery cancels. */
  readonly signal: AbortSignal
  /** False once the nursery is closing or cancelled: it starts no more actors. */
  isOpen(): boolean
}

interface Job {
  /** Start the call on `portal`; `release` must be called once when it ends. */
  readonly begin: (portal: Portal, release: (ok: boolean) => void) => void
  /** Fail the call before it reached a member. */
  readonly refuse: (error: unknown) => void
  readonly signal: AbortSignal | undefined
  state: 'queued' | 'waiting' | 'withdrawn' | 'started'
  onAbort: (() => void) | undefined
}

type SlotState = 'booting' | 'ready' | 'down' | 'retiring' | 'stopped'

interface Slot {
  readonly name: string
  state: SlotState
  handle: ActorHandle | undefined
  /** Which boot of this slot the current member is: ends of older ones are ignored. */
  generation: number
  inFlight: number
  crashesInRow: number
  timer: NodeJS.Timeout | undefined
  /** Settles once a retiring member is reaped. */
  readonly retired: Deferred<void>
}

type Phase = 'open' | 'draining' | 'stopping' | 'closed' | 'failed'

const MAX_BACKOFF = 30_000

function count(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value === Infinity || Number.isInteger(value)) || value < min)
    throw new RangeError(`${name} must be an integer >= ${min}, got ${String(value)}`)
  return value
}

function queuedCancelled(signal: AbortSignal): ActorCancelledError {
  return new ActorCancelledError('the call was cancelled by its signal before it reached a pool member', { cause: signal.reason })
}

/**
 * N daemon actors (`<name>-0` ... `<name>-<N-1>`) of one nursery, sharing
 * calls: each call goes to the member with the fewest calls in flight (at
 * most `concurrency` each); the rest wait in a queue bounded by `maxQueue`.
 *
 * A member that crashes fails only the calls it was running, each with its
 * `ActorFailure`; queued calls go on, and the member is replaced after a
 * back-off. More than `restart.maxRestarts` crashes within `restart.window`
 * fail the pool with an `ActorPoolError`, and with it the nursery.
 *
 * Members boot in parallel, so a pool costs about one actor's start-up, not
 * N in a row: on `'worker'` a thread plus harrow's runtime and the
 * `enableModules` imports, in each thread at once; spare threads kept by
 * `@harrow/spawn-worker`'s `startWorkerSpares(n)` (or `HARROW_WORKER_SPARES`)
 * are taken first and skip the thread's start. `startPool` resolves once the
 * first member serves (`ready: 'all'`: every member), so the first call costs
 * one actor's start-up, one round trip and its own work (and the import of its
 * module, when it was not in `enableModules`).
 */
export class ActorPool implements AsyncDisposable {
  /** The pool's name; members are named `<name>-<i>`. */
  readonly name: string
  readonly #host: PoolHost
  readonly #key: string
  readonly #memberOptions: ActorOptions
  readonly #concurrency: number
  readonly #maxQueue: number
  readonly #whenFull: 'reject' | 'wait'
  readonly #maxRestarts: number
  readonly #backoff: (attempt: number) => number
  readonly #window: number
  readonly #slots: Slot[] = []
  readonly #retiring = new Set<Slot>()
  readonly #boots = new Set<Promise<void>>()
  readonly #queue = new Queue<Job>()
  readonly #waiting = new Queue<Job>()
  #queued = 0
  #waitingCount = 0
  #inFlight = 0
  #completed = 0
  #failed = 0
  #restarts = 0
  readonly #crashes: number[] = []
  #phase: Phase = 'open'
  /** Whether a member has served yet (see {@link PoolOptions.ready}). */
  #served = false
  /** `ready: 'all'`: a failed boot fails the start until every member served, not only until the first did. */
  readonly #startNeedsAll: boolean
  /** Why calls are refused once the pool stopped taking them. */
  #refusal: Error | undefined
  #idle: Deferred<void> | undefined
  #closing: Promise<void> | undefined

  private constructor(host: PoolHost, name: string, options: PoolOptions) {
    const { size: _size, concurrency, maxQueue, whenFull, restart, ready, ...memberOptions } = options
    this.name = name
    this.#host = host
    this.#key = `pool:${name}:${globalThis.crypto.randomUUID()}`
    this.#memberOptions = memberOptions
    if (ready !== undefined && ready !== 'first' && ready !== 'all') throw new RangeError(`ready must be 'first' or 'all', got ${String(ready)}`)
    this.#startNeedsAll = ready === 'all'
    this.#concurrency = count('concurrency', concurrency, 1, 1)
    this.#maxQueue = count('maxQueue', maxQueue, Infinity, 0)
    if (whenFull !== undefined && whenFull !== 'reject' && whenFull !== 'wait')
      throw new RangeError(`whenFull must be 'reject' or 'wait', got ${String(whenFull)}`)
    this.#whenFull = whenFull ?? 'reject'
    this.#maxRestarts = count('restart.maxRestarts', restart?.maxRestarts, 5, 0)
    this.#window = count('restart.window', restart?.window, 60_000, 0)
    const backoff = restart?.backoff ?? 100
    if (typeof backoff === 'number') {
      count('restart.backoff', backoff, 100, 0)
      this.#backoff = (attempt) => Math.min(MAX_BACKOFF, backoff * 2 ** (attempt - 1))
    } else this.#backoff = backoff
  }

  /** @internal Use `nursery.startPool()`. */
  static async start(host: PoolHost, name: string, options: PoolOptions): Promise<ActorPool> {
    const size = count('size', options.size, availableParallelism(), 1)
    if (size === Infinity) throw new RangeError('size must be finite')
    const pool = new ActorPool(host, name, options)
    host.signal.addEventListener('abort', pool.#onNurseryCancel, { once: true })
    const slots = pool.#grow(size)
    // In parallel: N members cost about one start-up, not N in a row.
    const boots = slots.map((slot) => pool.#boot(slot, true))
    const everyBoot = Promise.allSettled(boots).then((outcomes) => {
      const failure = outcomes.find((outcome) => outcome.status === 'rejected')
      if (failure) throw failure.reason
      // No member failed, and none serves: the nursery stopped the pool while it started.
      if (!pool.#served) throw new ActorCancelledError(`pool '${name}' was stopped by its nursery while it started`)
    })
    // A boot resolves once its member serves (or was stopped meanwhile); failures before the first serves reject it.
    const firstServes = (): Promise<void> =>
      new Promise((resolve, reject) => {
        for (const boot of boots) boot.then(() => pool.#served && resolve(), reject)
      })
    try {
      await (pool.#startNeedsAll ? everyBoot : Promise.race([firstServes(), everyBoot]))
    } catch (error) {
      await pool.close({ drain: false })
      throw error
    }
    return pool
  }

  /** Members the pool has now (see {@link resize}). */
  get size(): number {
    return this.#slots.length
  }

  /** The portals of the members serving now, for calls to one member in particular (contexts, say). */
  get members(): readonly Portal[] {
    return this.#slots.flatMap((slot) => (slot.state === 'ready' && slot.handle ? [slot.handle.portal] : []))
  }

  /** A snapshot of the pool's counters. */
  stats(): PoolStats {
    return {
      inFlight: this.#inFlight,
      queued: this.#queued,
      waiting: this.#waitingCount,
      completed: this.#completed,
      failed: this.#failed,
      restarts: this.#restarts,
      size: this.#slots.length,
    }
  }

  /**
   * Call an exported function on a member and resolve with what it returns.
   * With a typed ref (see `refs()`), arguments and result are the export's,
   * as with `portal.run`. `signal` withdraws a queued call before it reaches a member, and cancels
   * a running one as `portal.run` does.
   *
   * @throws TypeError (as a rejection) when `args` hold something that cannot be sent.
   * @throws PoolQueueFullError when `maxQueue` calls wait already (and `whenFull` is `'reject'`).
   * @throws ActorFailure when the member running it died; RemoteActorError, ActorCancelledError as `portal.run`.
   * @throws ActorCancelledError when the pool closes without draining, or its nursery cancels, first.
   * @throws HarrowError when the pool is closed; ActorPoolError once it failed.
   */
  run<T = unknown>(fn: FnRef, args?: readonly unknown[], options?: CallOptions): Promise<T>
  run<F extends AnyFunction>(fn: FnRef<F>, ...rest: TypedCallArgs<F, CallOptions>): Promise<Awaited<ReturnType<F>>>
  run(fn: FnRef<unknown>, callArgs: unknown = [], options: CallOptions = {}): Promise<unknown> {
    const args = callArgs as readonly unknown[]
    let target: FnRef
    try {
      target = callTarget(fn, args)
    } catch (error) {
      return Promise.reject(error as TypeError) // eslint-disable-line @typescript-eslint/no-unnecessary-type-assertion -- documents what is thrown here
    }
    const { signal } = options
    if (signal?.aborted) return Promise.reject(queuedCancelled(signal))
    const outcome = deferred<unknown>()
    this.#submit({
      begin: (portal, release) => {
        portal.run(target, args, options).then(
          (value) => {
            release(true)
            outcome.resolve(value)
          },
          (error: unknown) => {
            release(false)
            outcome.reject(error)
          },
        )
      },
      refuse: (error) => outcome.reject(error),
      signal,
      state: 'queued',
      onAbort: undefined,
    })
    return outcome.promise
  }

  /**
   * Iterate an exported async generator function on a member. The call joins
   * the queue on the first `next()`; the member is busy until the stream
   * ends or the loop is left.
   *
   * @throws TypeError at once when `args` hold something that cannot be sent.
   */
  stream<T = unknown>(fn: FnRef, args?: readonly unknown[], options?: CallOptions): PoolStream<T>
  stream<F extends AnyFunction>(fn: FnRef<F>, ...rest: TypedCallArgs<F, CallOptions>): PoolStream<StreamItem<F>>
  stream(fn: FnRef<unknown>, callArgs: unknown = [], options: CallOptions = {}): PoolStream<unknown> {
    const args = callArgs as readonly unknown[]
    const target = callTarget(fn, args)
    return new PoolStream<unknown>((job) => this.#submitStream(job, target, args, options))
  }

  /**
   * A typed proxy for the exports of `module`, run on the pool's members:
   * `pool.bind<typeof import('./tasks.js')>(url).minify(source)`. A call
   * joins the queue when its result is awaited; iterating it streams instead.
   */
  bind<M>(module: string | URL): PoolRemote<M> {
    const moduleId = normalizeModule(module)
    const cache = new Map<string, (...args: unknown[]) => PoolBoundCall<unknown>>()
    return new Proxy({} as PoolRemote<M>, {
      get: (_target, property) => {
        // Not thenable, so that `await pool.bind(...)` gives the proxy itself.
        if (typeof property !== 'string' || property === 'then') return undefined
        let method = cache.get(property)
        if (!method) {
          const target: FnRef = { module: moduleId, name: property }
          method = (...args: unknown[]) => {
            assertSendable(args, 'args')
            return new PoolBoundCall<unknown>(
              (job) => this.#submitStream(job, target, args, {}),
              () => this.run(target, args),
            )
          }
          cache.set(property, method)
        }
        return method
      },
    })
  }

  /**
   * Grow or shrink the pool to `size` members. New members boot in parallel;
   * a removed member takes no new calls, finishes the ones it runs, then
   * stops. Resolves once every member serves (new ones, and any still
   * booting since the pool started: `ready: 'first'` does not wait for
   * them), or is being replaced after a crash, and removed ones are reaped.
   *
   * @throws RangeError when `size` is not an integer >= 1.
   * @throws HarrowError when the pool is closing or closed.
   */
  async resize(size: number): Promise<void> {
    const target = count('size', size, 1, 1)
    if (target === Infinity) throw new RangeError('size must be finite')
    if (this.#phase !== 'open') throw this.#closedError()
    const boots = this.#grow(target).map((slot) => this.#boot(slot, false))
    const retired: Promise<void>[] = []
    while (this.#slots.length > target) {
      const slot = this.#slots.pop() as Slot
      retired.push(this.#retire(slot))
    }
    // With the boots already in flight: after `resize(n)`, n members serve.
    await Promise.all([...boots, ...retired, ...this.#boots])
    this.#pump()
  }

  /**
   * Stop taking calls and close the pool: with `drain` (the default), finish
   * every queued and running call first; without, fail queued calls and
   * cancel running ones (`ActorCancelledError`). Then every member is
   * stopped and reaped. Idempotent.
   */
  close(options: PoolCloseOptions = {}): Promise<void> {
    this.#closing ??= this.#close(options.drain ?? true)
    return this.#closing
  }

  /** `close()` with draining, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  // ---- dispatch ----

  #submit(job: Job): void {
    if (this.#phase !== 'open') {
      job.refuse(this.#refusal ?? this.#closedError())
      return
    }
    if (this.#queued === 0) {
      const slot = this.#pick()
      if (slot) {
        this.#start(slot, job)
        return
      }
    }
    if (this.#queued < this.#maxQueue) {
      this.#enqueue(job)
    } else if (this.#whenFull === 'wait') {
      job.state = 'waiting'
      this.#waiting.push(job)
      this.#waitingCount++
    } else {
      job.refuse(new PoolQueueFullError(this.name, this.#maxQueue))
      return
    }
    const { signal } = job
    if (signal) {
      job.onAbort = () => {
        if (this.#withdraw(job)) job.refuse(queuedCancelled(signal))
      }
      signal.addEventListener('abort', job.onAbort, { once: true })
    }
  }

  #submitStream<T>(job: StreamJob<T>, target: FnRef, args: readonly unknown[], options: CallOptions): () => boolean {
    const { signal } = options
    if (signal?.aborted) {
      job.refuse(queuedCancelled(signal))
      return () => false
    }
    const entry: Job = {
      begin: (portal, release) => job.attach(portal.stream<T>(target, args, options), release),
      refuse: (error) => job.refuse(error),
      signal,
      state: 'queued',
      onAbort: undefined,
    }
    this.#submit(entry)
    return () => this.#withdraw(entry)
  }

  #enqueue(job: Job): void {
    job.state = 'queued'
    this.#queue.push(job)
    this.#queued++
  }

  /** Take a job back out of the queue (or the waiting line); `false` once it started or was refused. */
  #withdraw(job: Job): boolean {
    if (job.state === 'queued') this.#queued--
    else if (job.state === 'waiting') this.#waitingCount--
    else return false
    job.state = 'withdrawn'
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort)
    // Left in the queues and skipped when reached: O(1) instead of a search.
    this.#refill()
    this.#settledIfIdle()
    return true
  }

  /** The member with the fewest calls in flight that can take one more. */
  #pick(): Slot | undefined {
    let best: Slot | undefined
    for (const slot of this.#slots) {
      if (slot.state !== 'ready' || slot.inFlight >= this.#concurrency) continue
      // A member whose channel closed is being reaped: a call sent now would fail without running.
      if (!slot.handle?.alive) continue
      if (!best || slot.inFlight < best.inFlight) {
        best = slot
        if (slot.inFlight === 0) break
      }
    }
    return best
  }

  #start(slot: Slot, job: Job): void {
    job.state = 'started'
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort)
    slot.inFlight++
    this.#inFlight++
    const { generation } = slot
    let released = false
    job.begin((slot.handle as ActorHandle).portal, (ok) => {
      if (released) return
      released = true
      // A stream whose member died may be released long after (when its consumer reads): not the replacement's load.
      if (slot.generation === generation) slot.inFlight--
      this.#inFlight--
      if (ok) {
        this.#completed++
        slot.crashesInRow = 0
      } else this.#failed++
      if (slot.state === 'retiring' && slot.inFlight === 0) void slot.handle?.stop()
      this.#pump()
    })
  }

  #pump(): void {
    while (this.#queued > 0) {
      const slot = this.#pick()
      if (!slot) break
      const job = this.#shift()
      if (!job) break
      this.#start(slot, job)
    }
    this.#settledIfIdle()
  }

  #shift(): Job | undefined {
    for (;;) {
      const job = this.#queue.shift()
      if (!job) return undefined
      if (job.state !== 'queued') continue
      this.#queued--
      this.#refill()
      return job
    }
  }

  /** Move calls held by `whenFull: 'wait'` into the queue as room frees up. */
  #refill(): void {
    while (this.#waitingCount > 0 && this.#queued < this.#maxQueue) {
      const job = this.#waiting.shift()
      if (!job) return
      if (job.state !== 'waiting') continue
      this.#waitingCount--
      this.#enqueue(job)
    }
  }

  /** Fail every call that has not reached a member. */
  #refuseQueued(error: Error): void {
    for (const line of [this.#queue, this.#waiting]) {
      for (let job = line.shift(); job; job = line.shift()) {
        if (job.state !== 'queued' && job.state !== 'waiting') continue
        job.state = 'withdrawn'
        if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort)
        job.refuse(error)
      }
    }
    this.#queued = 0
    this.#waitingCount = 0
  }

  #settledIfIdle(): void {
    if (this.#idle && this.#inFlight === 0 && this.#queued === 0 && this.#waitingCount === 0) this.#idle.resolve()
  }

  // ---- members ----

  /** Add slots up to `size`; returns the new ones. */
  #grow(size: number): Slot[] {
    const added: Slot[] = []
    while (this.#slots.length < size) {
      const slot: Slot = {
        name: `${this.name}-${this.#slots.length}`,
        state: 'booting',
        handle: undefined,
        generation: 0,
        inFlight: 0,
        crashesInRow: 0,
        timer: undefined,
        retired: deferred(),
      }
      this.#slots.push(slot)
      added.push(slot)
    }
    return added
  }

  /**
   * Start (or replace) the member of `slot`. At the pool's start a boot
   * failure is thrown; afterwards it counts as a crash and is retried.
   */
  #boot(slot: Slot, throwOnFailure: boolean): Promise<void> {
    const booting = this.#bootOnce(slot, throwOnFailure)
    const tracked = booting.catch(() => {})
    this.#boots.add(tracked)
    void tracked.then(() => this.#boots.delete(tracked))
    return booting
  }

  async #bootOnce(slot: Slot, throwOnFailure: boolean): Promise<void> {
    slot.state = 'booting'
    const generation = ++slot.generation
    let handle: ActorHandle
    try {
      handle = await this.#host.spawn(slot.name, this.#memberOptions, (failure) => this.#ended(slot, generation, failure))
    } catch (error) {
      const state = slot.state as SlotState // changed by resize() or close() while it booted
      if (state === 'retiring' || state === 'stopped') {
        this.#retired(slot)
        return
      }
      slot.state = 'down'
      if (throwOnFailure && (this.#startNeedsAll || !this.#served)) throw error
      // A nursery that is closing refuses new actors: the pool ends with it, this is no crash.
      if (!this.#host.isOpen() || !this.#running()) this.#shutdown(new ActorCancelledError(`pool '${this.name}' was stopped by its nursery`))
      else this.#crashed(slot, error instanceof Error ? error : new Error(String(error)))
      return
    }
    if (slot.state !== 'booting' || !this.#running()) {
      // Removed by resize() or the pool closed while it booted.
      await handle.stop()
      return
    }
    slot.handle = handle
    slot.state = 'ready'
    slot.inFlight = 0
    this.#served = true
    this.#pump()
  }

  /** A member ended: by our stop, by its nursery's, or by crashing. */
  #ended(slot: Slot, generation: number, failure: Error | undefined): void {
    if (generation !== slot.generation) return
    slot.handle = undefined
    if (slot.state === 'retiring' || slot.state === 'stopped') {
      this.#retired(slot)
      return
    }
    if (!this.#running()) {
      slot.state = 'stopped'
      return
    }
    if (failure === undefined) {
      // Stopped, and not by us: the nursery is closing or cancelling, and the pool ends with it.
      slot.state = 'stopped'
      this.#shutdown(new ActorCancelledError(`pool '${this.name}' was stopped by its nursery`))
      return
    }
    this.#crashed(slot, failure)
  }

  #crashed(slot: Slot, failure: Error): void {
    slot.state = 'down'
    const now = performance.now()
    this.#crashes.push(now)
    while (this.#crashes.length > 0 && (this.#crashes[0] as number) < now - this.#window) this.#crashes.shift()
    if (this.#crashes.length > this.#maxRestarts) {
      this.#fail(new ActorPoolError(this.name, this.#crashes.length, { cause: failure }))
      return
    }
    const delay = Math.max(0, this.#backoff(++slot.crashesInRow))
    slot.timer = setTimeout(() => {
      slot.timer = undefined
      if (slot.state !== 'down' || !this.#running()) return
      this.#restarts++
      void this.#boot(slot, false)
    }, delay)
  }

  #retire(slot: Slot): Promise<void> {
    const booting = slot.state === 'booting'
    slot.state = 'retiring'
    this.#retiring.add(slot)
    if (slot.timer) {
      clearTimeout(slot.timer)
      slot.timer = undefined
    }
    if (!slot.handle) {
      // Down (waiting for its replacement) or still booting: nothing to stop yet.
      if (!booting) this.#retired(slot)
    } else if (slot.inFlight === 0) void slot.handle.stop()
    return slot.retired.promise
  }

  #retired(slot: Slot): void {
    slot.state = 'stopped'
    this.#retiring.delete(slot)
    slot.retired.resolve()
  }

  #running(): boolean {
    return this.#phase === 'open' || this.#phase === 'draining'
  }

  #closedError(): HarrowError {
    return new HarrowError(`pool '${this.name}' is closed: it takes no more calls`)
  }

  readonly #onNurseryCancel = (): void => {
    this.#shutdown(new ActorCancelledError(`pool '${this.name}' was cancelled with its nursery`))
  }

  /** The nursery stopped the members: fail what waits, replace nothing. */
  #shutdown(error: Error): void {
    if (!this.#running() && this.#phase !== 'stopping') return
    if (this.#phase !== 'stopping') this.#phase = 'closed'
    this.#refusal ??= error
    this.#clearTimers()
    this.#refuseQueued(error)
    this.#idle?.resolve()
  }

  /** Past the restart limit: fail waiting calls, stop the members, fail the nursery. */
  #fail(error: ActorPoolError): void {
    this.#phase = 'failed'
    this.#refusal = error
    this.#clearTimers()
    this.#refuseQueued(error)
    this.#idle?.resolve()
    for (const slot of this.#slots) void slot.handle?.stop()
    this.#host.fail(this.#key, error)
  }

  #clearTimers(): void {
    for (const slot of this.#slots) {
      if (slot.timer) clearTimeout(slot.timer)
      slot.timer = undefined
    }
  }

  async #close(drain: boolean): Promise<void> {
    if (this.#phase === 'open') {
      if (drain) {
        this.#phase = 'draining'
        this.#idle = deferred()
        this.#settledIfIdle()
        await this.#idle.promise
      }
      if (this.#running()) this.#phase = 'stopping'
    }
    this.#refusal ??= new HarrowError(`pool '${this.name}' is closed: it takes no more calls`)
    this.#clearTimers()
    this.#refuseQueued(new ActorCancelledError(`pool '${this.name}' closed before the call reached a member`))
    await Promise.all([...this.#boots])
    await Promise.all([...this.#slots, ...this.#retiring].flatMap((slot) => (slot.handle ? [slot.handle.stop()] : [])))
    if (this.#phase === 'stopping') this.#phase = 'closed'
    this.#host.signal.removeEventListener('abort', this.#onNurseryCancel)
  }
}
