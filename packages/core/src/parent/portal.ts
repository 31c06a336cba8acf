/** `Portal`: how a parent talks to one actor (call, stream, context, bind, result, cancel). */

import { deferred } from '../shared/async.js'
import { callTarget } from './call-target.js'
import type { ActorConnection } from './connection.js'
import { Context } from './context.js'
import { HarrowError, captureCallSite, withCallerFrames } from '../shared/errors.js'
import { TaskKind } from '../wire/protocol.js'
import { normalizeModule, type AnyFunction, type FnRef } from '../shared/ref.js'
import type { ActorInfo } from '../shared/realm.js'
import { ActorStream, cancelled } from './stream.js'
import { BoundCall } from './bound-call.js'
import type { ContextOf, Remote, TypedCallArgs, TypedContextArgs, StreamItem } from './remote-types.js'
import type { ContextMark } from '../actor/task.js'

/** Options of one call. */
export interface CallOptions {
  /** Aborting it cancels the remote task and rejects the call with `ActorCancelledError`. */
  readonly signal?: AbortSignal
}

/** Options of {@link Portal.cancelActor}. */
export interface CancelActorOptions {
  /** How long to wait for the actor to acknowledge, in ms. @default the actor's `terminateAfter` */
  readonly timeout?: number
}

/**
 * The parent's handle on one actor. Every method is safe to call
 * concurrently: calls are multiplexed on the actor's one channel.
 */
export class Portal<R = unknown> {
  /** Who the actor is. */
  readonly actor: ActorInfo
  readonly #connection: ActorConnection
  readonly #cancelTimeout: number
  #main: Promise<R> | undefined

  /** @internal Nurseries make portals. */
  constructor(connection: ActorConnection, cancelTimeout: number) {
    this.#connection = connection
    this.actor = connection.actor
    this.#cancelTimeout = cancelTimeout
  }

  /** @internal Start a one-shot actor's main task; {@link result} is its outcome. */
  startMain(fn: FnRef<unknown>, args: unknown[]): void {
    this.#main = this.run<R>(fn as FnRef, args)
  }

  /**
   * Call an exported function in the actor and resolve with what it returns.
   * With a typed ref (see `refs()`), arguments and result are the export's;
   * with a plain `FnRef`, say the result's type: `run<number>(ref(url, 'add'), [1, 2])`.
   *
   * @throws TypeError (as a rejection) when `args` hold something that cannot be sent; nothing is sent then.
   * @throws RemoteActorError when the remote function throws.
   * @throws ActorCancelledError when `signal` aborts or the actor is cancelled.
   * @throws ActorFailure when the actor dies first.
   */
  run<T = unknown>(fn: FnRef, args?: readonly unknown[], options?: CallOptions): Promise<T>
  run<F extends AnyFunction>(fn: FnRef<F>, ...rest: TypedCallArgs<F, CallOptions>): Promise<Awaited<ReturnType<F>>>
  run(fn: FnRef<unknown>, args: unknown = [], options: CallOptions = {}): Promise<unknown> {
    // Not an async function: on the hot path every promise and microtask hop counts.
    let target: FnRef
    try {
      target = callTarget(fn, args)
    } catch (error) {
      return Promise.reject(error as TypeError) // eslint-disable-line @typescript-eslint/no-unnecessary-type-assertion -- documents what is thrown here
    }
    const { signal } = options
    if (signal?.aborted) return Promise.reject(cancelled(signal, this.actor))
    const outcome = deferred()
    let onAbort: (() => void) | undefined
    let settled = false
    const cid = this.#connection.start(TaskKind.Call, target.module, target.name, args as unknown[], {
      kind: TaskKind.Call,
      settle: (ok, value) => {
        settled = true
        if (onAbort) signal?.removeEventListener('abort', onAbort)
        if (ok) outcome.resolve(value)
        else outcome.reject(value)
      },
    })
    if (signal && !settled) {
      onAbort = (): void => {
        this.#connection.cancelTask(cid)
        outcome.reject(cancelled(signal, this.actor))
      }
      signal.addEventListener('abort', onAbort, { once: true })
    }
    // The caller's frames are taken only if the call fails, as a reaction of the promise it awaits.
    return outcome.promise.then(undefined, withCallerFrames)
  }

  /**
   * Iterate an exported async generator function in the actor. The generator
   * runs ahead by at most one window of items.
   *
   * @throws TypeError at once when `args` hold something that cannot be sent.
   */
  stream<T = unknown>(fn: FnRef, args?: readonly unknown[], options?: CallOptions): ActorStream<T>
  stream<F extends AnyFunction>(fn: FnRef<F>, ...rest: TypedCallArgs<F, CallOptions>): ActorStream<StreamItem<F>>
  stream(fn: FnRef<unknown>, args: unknown = [], options: CallOptions = {}): ActorStream<unknown> {
    const target = callTarget(fn, args)
    return new ActorStream(this.#connection, target.module, target.name, args as unknown[], options.signal)
  }

  /**
   * Open a two-way context with an export wrapped in `context(...)`. Resolves
   * once the remote called `ctx.started()`.
   *
   * @throws TypeError (as a rejection) when `args` hold something that cannot be sent.
   * @throws RemoteActorError when the remote function throws before `ctx.started()`.
   */
  openContext<TStarted = unknown, TIn = unknown, TOut = unknown, TResult = unknown>(
    fn: FnRef,
    args?: readonly unknown[],
  ): Promise<Context<TStarted, TIn, TOut, TResult>>
  openContext<F extends ContextMark>(fn: FnRef<F>, ...rest: TypedContextArgs<F>): Promise<ContextOf<F>>
  async openContext(fn: FnRef<unknown>, args: unknown = []): Promise<Context> {
    const target = callTarget(fn, args)
    const site = captureCallSite(Portal.prototype.openContext) // eslint-disable-line @typescript-eslint/unbound-method -- only marks where the caller's frames start
    const ctx = new Context(this.#connection, target.module, target.name, args as unknown[], site)
    await ctx.whenStarted()
    return ctx
  }

  /**
   * A typed proxy for the exports of `module` in the actor:
   * `portal.bind<typeof import('./tasks.js')>(url).add(1, 2)`. Each call is
   * sent when it is made, like a promise's work (`bound.note('x')` without
   * `await` still runs); await a function's result, iterate a generator's
   * stream. `options.signal` cancels every call made through this proxy:
   * bind again for a call of its own (`portal.bind(url, { signal }).add(1, 2)`).
   *
   * An argument that cannot be sent rejects that call with a `TypeError`, as `run` does.
   *
   * @throws TypeError for a relative module path.
   */
  bind<M>(module: string | URL, options: CallOptions = {}): Remote<M> {
    const moduleId = normalizeModule(module)
    const { signal } = options
    const cache = new Map<string, (...args: unknown[]) => BoundCall<unknown>>()
    return new Proxy({} as Remote<M>, {
      get: (_target, property) => {
        // Not thenable, so that `await portal.bind(...)` gives the proxy itself.
        if (typeof property !== 'string' || property === 'then') return undefined
        let method = cache.get(property)
        if (!method) {
          const connection = this.#connection
          const bound = (...args: unknown[]): BoundCall<unknown> => BoundCall.start(connection, moduleId, property, args, signal)
          method = bound
          cache.set(property, method)
        }
        return method
      },
    })
  }

  /**
   * The final result of a `runInActor` actor.
   *
   * @throws HarrowError for an actor started with `startActor`, which has no result.
   */
  result(): Promise<R> {
    if (!this.#main) return Promise.reject(new HarrowError(`actor '${this.actor.name}' was started with startActor and has no result: use runInActor`))
    return this.#main
  }

  /**
   * Ask the actor to cancel everything and exit. Resolves `true` once it
   * acknowledged, `false` if it was already gone or did not answer in time.
   */
  cancelActor(options: CancelActorOptions = {}): Promise<boolean> {
    return this.#connection.cancelActor(options.timeout ?? this.#cancelTimeout)
  }
}
