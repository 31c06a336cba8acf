/** Nurseries: every actor has a parent that outlives it; one failure cancels all. */

import { setMaxListeners } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { BackendOptions } from '../shared/contracts.js'
import { assertSendable } from '../wire/sendable.js'
import { ActorCancelledError, ActorNurseryError, HarrowError, stackFrames, type CallSite } from '../shared/errors.js'
import { DEFAULT_MAX_FRAME_SIZE } from '../wire/frames.js'
import { TERMINATE_AFTER, cancelOnCompletion } from './lifecycle.js'
import type { Portal } from './portal.js'
import { ActorPool, type PoolHost, type PoolOptions, type Supervisor } from './pool.js'
import { normalizeModule, toFnRef, type AnyFunction, type FnRef } from '../shared/ref.js'
import type { TypedCallArgs } from './remote-types.js'
import { getStartMethod, loadSpawnBackend } from '../shared/registry.js'
import { isActor, runtime, type ActorInfo, type Cancellable } from '../shared/realm.js'
import { teardownGate, unwatchRoot, watchRoot } from './signals.js'
import { holding } from './keep-alive.js'
import { STARTUP_TIMEOUT, spawnActor, type ActorHandle } from './spawn.js'
import type { SpawnMethodKey } from '../shared/spawn-methods.js'

/** Options of {@link openNursery} and {@link withNursery}. */
export interface NurseryOptions {
  /** Spawn method for this nursery's actors. @default getStartMethod() (inside an actor: the method it was spawned with) */
  readonly spawnMethod?: SpawnMethodKey
  /** Aborting it cancels the whole nursery. */
  readonly signal?: AbortSignal
  /** How long an actor may take to boot, in ms. @default 30000 */
  readonly startupTimeout?: number
  /** How long a cancelled actor gets before it is terminated, then killed, in ms. @default 1600 (inside an actor: its parent's) */
  readonly terminateAfter?: number
}

/** Options of one actor. */
export interface ActorOptions {
  /** @default the nursery's spawn method */
  readonly spawnMethod?: SpawnMethodKey
  /** The only modules whose exports the actor serves; each is imported while the actor starts. */
  readonly enableModules?: readonly (string | URL)[]
  /** Variables added to (or, when `undefined`, removed from) the parent's environment. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Working directory. @default the parent's */
  readonly cwd?: string | URL
  /**
   * Runtime flags. @default process.execArgv when the child runs on the
   * parent's runtime (so loaders such as tsx keep working), none when
   * `execPath` names another executable
   */
  readonly execArgv?: readonly string[]
  /**
   * The executable of a process-backed child (`'process'`, `'forkserver'`):
   * another Node, or Bun or Deno. Backends that cannot honour it (`'worker'`:
   * a thread runs on its process's runtime) reject the spawn with a `TypeError`.
   * @default the parent's runtime, `process.execPath`, with the flags that runtime needs
   * @throws TypeError (from `startActor`) when it is not a non-empty string.
   */
  readonly execPath?: string
  /** @default the nursery's */
  readonly startupTimeout?: number
  /** @default the nursery's */
  readonly terminateAfter?: number
  /** The largest message either side accepts, in bytes. @default 64 MiB */
  readonly maxFrameSize?: number
  /** Backend-specific options (see each backend package). */
  readonly backend?: BackendOptions
}

/** Options of {@link ActorNursery.runInActor}: an actor's options and its name. */
export interface RunInActorOptions extends ActorOptions {
  /** The actor's name. @default the function's export name */
  readonly name?: string
}

interface Child {
  readonly handle: ActorHandle
  /** A one-shot's result collection ({@link cancelOnCompletion}), which stops it afterwards. */
  collected?: Promise<void>
  /** Settles once the child is reaped and its failure, if any, recorded. */
  settled?: Promise<void>
  /** A pool member: its end goes to the pool, which fails the nursery only past its restart limit. */
  readonly supervisor?: Supervisor
}

const closeAfterBody: unique symbol = Symbol('closeAfterBody')

function duration(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative number of milliseconds, got ${String(value)}`)
  return value
}

/**
 * A scope that owns actors. No actor outlives it: closing it awaits one-shot
 * results and cancels daemons, and any failure (of the body or a child)
 * cancels every other child before it is rethrown.
 */
export class ActorNursery implements AsyncDisposable, Cancellable {
  readonly #spawnMethod: SpawnMethodKey | undefined
  readonly #startupTimeout: number
  readonly #terminateAfter: number
  readonly #signal: AbortSignal | undefined
  readonly #children = new Map<string, Child>()
  readonly #spawning = new Set<Promise<unknown>>()
  readonly #errors = new Map<string, Error>()
  /** Aborted once the nursery cancels: spawns still booting are killed. */
  readonly #cancel = new AbortController()
  #closing: Promise<void> | undefined
  #cancelling: Promise<void> | undefined
  #open = true
  /** Where a root opened it (formatted only if it is never closed); actors close theirs when they exit. */
  readonly #openedAt: CallSite = {}

  /** @internal Use {@link openNursery}. */
  constructor(options: NurseryOptions) {
    this.#spawnMethod = options.spawnMethod
    this.#startupTimeout = duration('startupTimeout', options.startupTimeout, STARTUP_TIMEOUT)
    this.#terminateAfter = duration('terminateAfter', options.terminateAfter, runtime().terminateAfter ?? TERMINATE_AFTER)
    // Every booting child listens on it: many children are normal, not a leak.
    setMaxListeners(0, this.#cancel.signal)
    this.#signal = options.signal
    this.#signal?.addEventListener('abort', this.#cancelSoon, { once: true })
    if (!isActor()) Error.captureStackTrace(this.#openedAt, ActorNursery)
    runtime().nurseries.add(this)
    watchRoot()
  }

  /** The actors alive in this nursery now. */
  get children(): readonly ActorInfo[] {
    return [...this.#children.values()].map((child) => child.handle.actor)
  }

  /**
   * Start a daemon actor that serves calls until it is cancelled or the
   * nursery closes.
   *
   * @throws HarrowError when the nursery is closing or cancelled.
   * @throws SpawnMethodUnavailableError, ActorFailure, RemoteActorError as `spawnActor` does.
   */
  async startActor(name: string, options: ActorOptions = {}): Promise<Portal> {
    const child = await this.#spawn(name, options)
    return child.handle.portal
  }

  /**
   * Start a pool of daemon actors named `<name>-<i>`, booted in parallel,
   * that share calls (see {@link ActorPool}). A member's crash fails only the
   * calls it was running; the pool replaces it, and fails this nursery only
   * past its restart limit.
   *
   * @throws RangeError when a size or limit is not a valid number.
   * @throws HarrowError when the nursery is closing or cancelled.
   * @throws SpawnMethodUnavailableError, ActorFailure, RemoteActorError when a member cannot start (the others are stopped).
   */
  startPool(name: string, options: PoolOptions = {}): Promise<ActorPool> {
    return ActorPool.start(this.#poolHost, name, options)
  }

  readonly #poolHost: PoolHost = {
    spawn: async (name, options, supervisor) => (await this.#spawn(name, options, supervisor)).handle,
    fail: (key, error) => this.#fail(key, error),
    signal: this.#cancel.signal,
    isOpen: () => this.#open && !this.#cancel.signal.aborted,
  }

  /**
   * Start a one-shot actor whose main task is `fn(...args)`. The nursery
   * collects its result (see `portal.result()`) and then cancels it; its
   * failure cancels the nursery.
   *
   * @throws TypeError when `args` cannot be sent.
   */
  runInActor<R = unknown>(fn: FnRef, args?: readonly unknown[], options?: RunInActorOptions): Promise<Portal<R>>
  runInActor<F extends AnyFunction>(fn: FnRef<F>, ...rest: TypedCallArgs<F, RunInActorOptions>): Promise<Portal<Awaited<ReturnType<F>>>>
  async runInActor(fn: FnRef<unknown>, args: unknown = [], options: RunInActorOptions = {}): Promise<Portal> {
    const target = toFnRef(fn)
    // Refused here, before an actor is started for a call that could never be sent.
    assertSendable(args, 'args')
    const enableModules = [target.module, ...(options.enableModules ?? [])]
    const child = await this.#spawn(options.name ?? target.name, { ...options, enableModules })
    const portal = child.handle.portal
    portal.startMain(target, [...(args as readonly unknown[])])
    // A failure counts even when it lands while the nursery cancels; only the cancellation itself does not.
    child.collected = cancelOnCompletion(portal, this.#errors, { cancel: () => child.handle.stop(), onFailure: this.#cancelSoon })
    return portal
  }

  /**
   * Cancel every child (polite cancel, then terminate, then kill, all
   * concurrently) and wait until all are reaped. Children's errors are still
   * thrown by {@link close}.
   */
  async cancel(options: { readonly terminateAfter?: number } = {}): Promise<void> {
    this.#cancelling ??= this.#cancelAll()
    if (options.terminateAfter === undefined) return this.#cancelling
    // A tighter budget than the children's own (an orphaned actor must be gone within 2 s): kill at its end.
    const deadline = setTimeout(() => void this.kill(), options.terminateAfter)
    try {
      await this.#cancelling
    } finally {
      clearTimeout(deadline)
    }
  }

  /** Kill every child at once (SIGKILL) and wait until all are reaped. */
  async kill(): Promise<void> {
    this.#open = false
    this.#cancel.abort()
    await Promise.all([...this.#children.values()].map((child) => child.handle.kill()))
  }

  /**
   * Await every one-shot result, cancel the daemons, reap everything, then
   * throw what failed: one error as itself, several as an `ActorNurseryError`.
   * Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= holding(this.#close(undefined, false))
    return this.#closing
  }

  /** Same as {@link close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /** @internal {@link withNursery}: the body threw `error`; cancel everything and throw what failed. */
  [closeAfterBody](error: unknown): Promise<void> {
    this.#closing ??= holding(this.#close(error, true))
    return this.#closing
  }

  /** @internal Where it was opened and the actors it holds, for the message when a root ends with it open. */
  describe(): string {
    // The first frame outside harrow's ways to open a nursery is the caller's (names survive bundling, paths may not).
    const caller = stackFrames(this.#openedAt).find((line) => !/^\s+at (async )?(openNursery|withNursery|withPool) /.test(line))
    const where = caller === undefined ? '' : ` opened ${caller.trim().replace(/^at (async )?/, 'in ')}`
    const names = this.children.map((actor) => `'${actor.name}'`)
    const holds = names.length === 0 ? 'no actors' : `${names.length} actor${names.length === 1 ? '' : 's'} (${names.join(', ')})`
    return `a nursery${where} with ${holds}`
  }

  /** Start cancelling everything: when the nursery's signal aborts, and when a one-shot fails (one cancels all). */
  readonly #cancelSoon = (): void => {
    void this.cancel()
  }

  async #spawn(name: string, options: ActorOptions, supervisor?: Supervisor): Promise<Child> {
    if (!this.#open || this.#cancel.signal.aborted)
      throw new HarrowError(`cannot start actor '${name}': the nursery is ${this.#cancel.signal.aborted ? 'cancelled' : 'closed'}`)
    const spawnMethod = options.spawnMethod ?? this.#spawnMethod ?? getStartMethod()
    const execPath = options.execPath
    if (execPath !== undefined && (typeof execPath !== 'string' || execPath === ''))
      throw new TypeError(`cannot start actor '${name}': execPath must be a non-empty string, got ${JSON.stringify(execPath)}`)
    // The parent's flags are for the parent's runtime: another executable starts without them unless asked.
    const sameRuntime = execPath === undefined || execPath === process.execPath
    const pending = spawnActor({
      name,
      spawnMethod,
      enableModules: [...new Set((options.enableModules ?? []).map(normalizeModule))],
      env: { ...process.env, ...options.env },
      cwd: options.cwd === undefined ? undefined : options.cwd instanceof URL ? fileURLToPath(options.cwd) : options.cwd,
      execArgv: options.execArgv ?? (sameRuntime ? process.execArgv : []),
      execPath,
      startupTimeout: duration('startupTimeout', options.startupTimeout, this.#startupTimeout),
      terminateAfter: duration('terminateAfter', options.terminateAfter, this.#terminateAfter),
      maxFrameSize: options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE,
      backend: options.backend ?? {},
      signal: this.#cancel.signal,
    })
    this.#spawning.add(pending)
    let handle: ActorHandle
    try {
      handle = await pending
    } finally {
      this.#spawning.delete(pending)
    }
    const child: Child = supervisor ? { handle, supervisor } : { handle }
    this.#children.set(handle.actor.uid, child)
    child.settled = handle.done.then(() => this.#reaped(child))
    if (this.#cancel.signal.aborted) {
      // The nursery was cancelled while this child booted.
      await handle.stop()
      throw new ActorCancelledError(`actor '${name}' was cancelled as it started`, { actor: handle.actor })
    }
    return child
  }

  /** A child that ended by itself with a failure: record it (unless its result already failed), then one cancels all. */
  async #reaped(child: Child): Promise<void> {
    const { uid } = child.handle.actor
    const failure = await child.handle.failure()
    this.#children.delete(uid)
    if (child.supervisor) child.supervisor(failure)
    else if (failure) this.#fail(uid, failure)
  }

  /** One cancels all: record the first error of each child, then cancel everything else. */
  #fail(uid: string, error: unknown): void {
    if (!this.#errors.has(uid)) this.#errors.set(uid, error instanceof Error ? error : new Error(String(error)))
    this.#cancelSoon()
  }

  async #cancelAll(): Promise<void> {
    this.#cancel.abort()
    await Promise.allSettled([...this.#spawning])
    // Concurrently: N children must not cost N timeouts.
    await Promise.all([...this.#children.values()].map((child) => child.handle.stop()))
  }

  async #close(bodyError: unknown, bodyFailed: boolean): Promise<void> {
    this.#open = false
    if (bodyFailed) void this.cancel()
    await Promise.allSettled([...this.#spawning])
    await Promise.all([...this.#children.values()].flatMap((child) => (child.collected ? [child.collected] : [])))
    await Promise.all([...this.#children.values()].map((child) => child.handle.stop()))
    if (this.#cancelling) await this.#cancelling
    await Promise.all([...this.#children.values()].flatMap((child) => (child.settled ? [child.settled] : [])))
    this.#signal?.removeEventListener('abort', this.#cancelSoon)
    runtime().nurseries.delete(this)
    unwatchRoot()
    const failure = this.#failure(bodyError, bodyFailed)
    if (failure !== undefined) {
      await teardownGate()
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a body may throw a non-Error; it is rethrown as it was
      throw failure
    }
  }

  #failure(bodyError: unknown, bodyFailed: boolean): unknown {
    const errors: unknown[] = [...this.#errors.values()]
    if (bodyFailed) {
      const alreadyCounted = errors.includes(bodyError)
      // A body that failed only because the nursery cancelled it after a child's failure adds nothing.
      const consequence = bodyError instanceof ActorCancelledError && errors.length > 0
      if (!alreadyCounted && !consequence) errors.unshift(bodyError)
    }
    if (errors.length === 0) return undefined
    if (errors.length === 1) return errors[0]
    const names = errors.map((e) => (e as { actor?: ActorInfo }).actor?.name ?? (e as Error).name).join(', ')
    return new ActorNurseryError(errors, `${errors.length} failures in the nursery: ${names}`)
  }
}

/**
 * Open a nursery. Close it with `await nursery.close()` or `await using`.
 *
 * @throws SpawnMethodUnavailableError when `spawnMethod` is given and unavailable.
 */
export async function openNursery(options: NurseryOptions = {}): Promise<ActorNursery> {
  if (options.spawnMethod !== undefined) await loadSpawnBackend(options.spawnMethod)
  return new ActorNursery(options)
}

/**
 * Run `body` with a fresh nursery and close it afterwards. When `body`
 * throws, every child is cancelled and reaped before the failure is
 * rethrown (with the children's, as one `ActorNurseryError` when several).
 */
export async function withNursery<T>(body: (nursery: ActorNursery) => Promise<T> | T, options: NurseryOptions = {}): Promise<T> {
  const nursery = await openNursery(options)
  let result: T
  try {
    result = await body(nursery)
  } catch (error) {
    await nursery[closeAfterBody](error)
    throw error
  }
  await nursery.close()
  return result
}
