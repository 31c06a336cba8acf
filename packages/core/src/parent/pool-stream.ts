/** The pool's side of streams and bound calls: they wait in the pool's queue until a member takes them. */

import { deferred, type Deferred } from '../shared/async.js'
import type { ContextFunction } from '../actor/task.js'
import type { ActorStream } from './stream.js'

/** @internal What a pool stream hands the pool: started on a member, or refused while queued. */
export interface StreamJob<T> {
  /** A member took the call: `stream` is its remote generator; `release` frees the member once it ends. */
  attach(stream: ActorStream<T>, release: (ok: boolean) => void): void
  /** The call was refused or cancelled before it reached a member. */
  refuse(error: unknown): void
}

/** @internal Queue a stream's call; returns a function that takes it back out (`true` when it was still queued). */
export type SubmitStream<T> = (job: StreamJob<T>) => () => boolean

/**
 * The items of a remote async generator run by one pool member, in order,
 * with the same backpressure and early-exit rules as a portal's
 * `ActorStream`. The call waits in the pool's queue until the first `next()`
 * and a free member; leaving the loop while it is still queued takes it back
 * out without it ever reaching a member.
 */
export class PoolStream<T> implements AsyncIterableIterator<T, undefined>, AsyncDisposable {
  readonly #submit: SubmitStream<T>
  /** The member's stream once the call started; `undefined` when it was withdrawn while queued. */
  #inner: Deferred<ActorStream<T> | undefined> | undefined
  #withdraw: (() => boolean) | undefined
  #release: ((ok: boolean) => void) | undefined
  #closed = false

  /** @internal Pools make streams; see `pool.stream()`. */
  constructor(submit: SubmitStream<T>) {
    this.#submit = submit
  }

  /** The stream is its own iterator: `for await (const item of stream)`. */
  [Symbol.asyncIterator](): this {
    return this
  }

  /** The next item; `done` once the remote generator returned. Rejects with what the remote threw, or why the call never started. */
  async next(): Promise<IteratorResult<T, undefined>> {
    if (this.#closed && !this.#inner) return { done: true, value: undefined }
    const inner = await this.#started()
    if (!inner) return { done: true, value: undefined }
    try {
      const result = await inner.next()
      if (result.done) this.#end(true)
      return result
    } catch (error) {
      this.#end(false)
      throw error
    }
  }

  /** Stop early: a queued call is withdrawn; a running one is cancelled as a portal's stream is. */
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

  #started(): Promise<ActorStream<T> | undefined> {
    if (this.#inner) return this.#inner.promise
    const inner = (this.#inner = deferred<ActorStream<T> | undefined>())
    this.#withdraw = this.#submit({
      attach: (stream, release) => {
        this.#release = release
        inner.resolve(stream)
      },
      refuse: (error) => {
        this.#closed = true
        inner.reject(error)
      },
    })
    return inner.promise
  }

  async #close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (!this.#inner) return
    // Still queued: take it back out; it never reaches a member.
    if (this.#withdraw?.()) {
      this.#inner.resolve(undefined)
      return
    }
    const inner = await this.#inner.promise.catch(() => undefined)
    if (!inner) return
    await inner.return()
    this.#end(true)
  }

  #end(ok: boolean): void {
    this.#closed = true
    const release = this.#release
    this.#release = undefined
    release?.(ok)
  }
}

/** @internal The value of a pool's bound method: a call when awaited, a stream when iterated. */
export class PoolBoundCall<T> extends PoolStream<T> implements Promise<T> {
  readonly #run: () => Promise<T>
  #call: Promise<T> | undefined
  readonly [Symbol.toStringTag] = 'PoolBoundCall'

  constructor(submit: SubmitStream<T>, run: () => Promise<T>) {
    super(submit)
    this.#run = run
  }

  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return (this.#call ??= this.#run()).then(onfulfilled, onrejected)
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return (this.#call ??= this.#run()).catch(onrejected)
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return (this.#call ??= this.#run()).finally(onfinally)
  }
}

type AnyFunction = (...args: never[]) => unknown

/**
 * A typed proxy for a module's exports, run on a pool's members (see
 * `pool.bind`): functions become calls, async generator functions become
 * {@link PoolStream}s. Context functions are left out: open them on one
 * member's portal (`pool.members[i].openContext()`).
 */
export type PoolRemote<M> = {
  readonly [K in keyof M as M[K] extends ContextFunction ? never : M[K] extends AnyFunction ? K : never]: M[K] extends (
    ...args: infer A
  ) => AsyncIterable<infer T>
    ? (...args: A) => PoolStream<T>
    : M[K] extends (...args: infer A) => infer R
      ? (...args: A) => Promise<Awaited<R>>
      : never
}
