/** Types that carry an export's signature to the parent's calls: arguments checked for sendability, results and stream items inferred. */

import type { ActorContext, ContextMark } from '../actor/task.js'
import type { AnyFunction } from '../shared/ref.js'
import type { ActorStream } from './stream.js'
import type { Context } from './context.js'

declare const UNSENDABLE: unique symbol

/**
 * What a parameter whose type cannot cross an actor boundary (a function, a
 * symbol, a class instance with methods) becomes: no value is assignable to
 * it, and the compiler's message quotes `Why`.
 */
export interface Unsendable<Why extends string> {
  /** Type only. */
  readonly [UNSENDABLE]: Why
}

type IsAny<T> = 0 extends 1 & T ? true : false

/** Built-in objects that the codec carries although they have methods. */
type SendableObject = Date | RegExp | ArrayBuffer | ArrayBufferView | Error | ReadonlyMap<unknown, unknown> | ReadonlySet<unknown>

/** `true` when some part of `T` (to a bounded depth) is a function or a symbol. */
type HasUnsendable<T, Depth extends unknown[] = []> =
  IsAny<T> extends true
    ? false
    : Depth['length'] extends 6
      ? false
      : T extends AnyFunction | symbol
        ? true
        : T extends ReadonlyMap<infer K, infer V>
          ? HasUnsendable<K | V, [...Depth, 1]>
          : T extends ReadonlySet<infer V>
            ? HasUnsendable<V, [...Depth, 1]>
            : T extends SendableObject
              ? false
              : T extends readonly unknown[]
                ? HasUnsendable<T[number], [...Depth, 1]>
                : T extends object
                  ? true extends { [K in keyof T]-?: HasUnsendable<T[K], [...Depth, 1]> }[keyof T]
                    ? true
                    : false
                  : false

/**
 * Each parameter of `P` as it is, or as {@link Unsendable} when its type holds
 * a function or a symbol: such a call is refused at compile time, as it would
 * be refused at run time.
 */
export type SendableArgs<P extends readonly unknown[]> = {
  [I in keyof P]: true extends HasUnsendable<P[I]> ? Unsendable<'a function or symbol cannot be sent to an actor: pass data, or a ref to a function'> : P[I]
}

/** What a typed call takes after the ref: its arguments (optional when it has none) and options. */
export type TypedCallArgs<F extends AnyFunction, Options> = F extends ContextMark
  ? [args: Unsendable<'a context function is opened with portal.openContext()'>, options?: Options]
  : [] extends Parameters<F>
    ? [args?: SendableArgs<Parameters<F>>, options?: Options]
    : [args: SendableArgs<Parameters<F>>, options?: Options]

/** The items a stream export yields: an async or sync generator's (or iterable's) element type. */
export type StreamItem<F extends AnyFunction> =
  Awaited<ReturnType<F>> extends AsyncIterable<infer T> ? T : Awaited<ReturnType<F>> extends Iterable<infer T> ? T : never

/** True when calling `F` makes a stream: it returns an async iterable or a sync generator. */
type IsStream<R> = R extends AsyncIterable<unknown> ? true : R extends Generator<unknown, unknown, never> ? true : false

/** A context function's arguments after `ctx`. */
export type ContextArgs<F> = F extends (ctx: never, ...args: infer A) => unknown ? A : never

/** The parent's {@link Context} for a typed context function. */
export type ContextOf<F> = F extends (ctx: ActorContext<infer TStarted, infer TIn, infer TOut>, ...args: never[]) => infer R
  ? Context<TStarted, TIn, TOut, Awaited<R>>
  : never

/** What a typed `openContext` takes after the ref. */
export type TypedContextArgs<F> = [] extends ContextArgs<F> ? [args?: SendableArgs<ContextArgs<F>>] : [args: SendableArgs<ContextArgs<F>>]

/** The signature of one bound method: a stream for generators, a promise for everything else. */
export type BoundMethod<F> = F extends (...args: infer A) => infer R
  ? IsStream<R> extends true
    ? (...args: SendableArgs<A>) => ActorStream<R extends AsyncIterable<infer T> ? T : R extends Iterable<infer T> ? T : never>
    : (...args: SendableArgs<A>) => Promise<Awaited<R>>
  : never

/**
 * A typed proxy for a module's exports in an actor (see {@link Portal.bind}):
 * functions become calls, async and sync generator functions become streams.
 * Context functions are left out, however they are annotated: open them
 * with `portal.openContext()`.
 */
export type Remote<M> = {
  readonly [K in keyof M as M[K] extends ContextMark ? never : M[K] extends AnyFunction ? K : never]: BoundMethod<M[K]>
}
