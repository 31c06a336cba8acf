// Type tests of the public API (run by `vitest --typecheck`): what a TypeScript user's code infers, and what it must refuse.
import { describe, expectTypeOf, test } from 'vitest'
import {
  ref,
  refs,
  context,
  type ActorContext,
  type ActorNursery,
  type ActorPool,
  type ActorStream,
  type PoolStream,
  type Context,
  type ContextFunction,
  type FnRef,
  type Portal,
  type Remote,
} from '../../src/index.js'
import type * as Tasks from './fixtures/tasks.js'

declare const portal: Portal
declare const nursery: ActorNursery
declare const pool: ActorPool
const url = new URL('./fixtures/tasks.js', import.meta.url)

describe('typed refs', () => {
  const tasks = refs<typeof Tasks>(url)

  test('refs() gives a typed ref per function export, and none for other exports', () => {
    expectTypeOf(tasks.add).toEqualTypeOf<FnRef<typeof Tasks.add>>()
    expectTypeOf(tasks).not.toHaveProperty('version')
    expectTypeOf(tasks).not.toHaveProperty('ValidationError')
  })

  test('ref<F>() is typed by the export it names; ref() without a type is a plain FnRef', () => {
    expectTypeOf(ref<(typeof Tasks)['add']>(url, 'add')).toEqualTypeOf<FnRef<typeof Tasks.add>>()
    expectTypeOf(ref(url, 'add')).toEqualTypeOf<FnRef>()
    expectTypeOf<ReturnType<typeof ref>>().toEqualTypeOf<FnRef>()
  })

  test('run infers arguments and result from a typed ref', () => {
    expectTypeOf(portal.run(tasks.add, [1, 2])).toEqualTypeOf<Promise<number>>()
    expectTypeOf(portal.run(tasks.fetchUser, ['u1'])).toEqualTypeOf<Promise<{ id: string; name: string }>>()
    expectTypeOf(portal.run(tasks.optional)).toEqualTypeOf<Promise<string>>()
    expectTypeOf(portal.run(tasks.add, [1, 2], { signal: AbortSignal.timeout(1) })).toEqualTypeOf<Promise<number>>()
  })

  test('run refuses wrong arguments and a wrong result type', async () => {
    // @ts-expect-error -- '1' is not a number
    void portal.run(tasks.add, ['1', 2])
    // @ts-expect-error -- add takes two arguments
    void portal.run(tasks.add)
    // @ts-expect-error -- add returns a number, not a string
    const s: string = await portal.run(tasks.add, [1, 2])
    void s
  })

  test('run refuses a context function, which is opened with openContext', () => {
    // @ts-expect-error -- squarer is a context function
    void portal.run(tasks.squarer, ['x'])
  })

  test('function-typed parameters are refused at compile time', () => {
    // @ts-expect-error -- a function cannot be sent
    void portal.run(tasks.withCallback, [() => {}])
    // @ts-expect-error -- nor one nested in an object
    void portal.run(tasks.withNestedCallback, [{ retries: 1, onRetry: () => {} }])
    // Data the codec carries is accepted, although Map, Set, Date and Error have methods.
    expectTypeOf(portal.run(tasks.withData, [new Map([['a', [new Date()]]]), new Set(['t']), new Uint8Array(1), new Error('e')])).toEqualTypeOf<
      Promise<number>
    >()
  })

  test('stream infers the items of an async or a sync generator', () => {
    expectTypeOf(portal.stream(tasks.count, [3])).toEqualTypeOf<ActorStream<number>>()
    expectTypeOf(portal.stream(tasks.letters, ['abc'])).toEqualTypeOf<ActorStream<string>>()
    // @ts-expect-error -- count takes a number
    void portal.stream(tasks.count, ['3'])
  })

  test('a pool infers arguments, results and items from typed refs as a portal does', async () => {
    expectTypeOf(pool.run(tasks.add, [1, 2])).toEqualTypeOf<Promise<number>>()
    expectTypeOf(pool.run(tasks.add, [1, 2], { signal: AbortSignal.timeout(1) })).toEqualTypeOf<Promise<number>>()
    expectTypeOf(pool.stream(tasks.count, [3])).toEqualTypeOf<PoolStream<number>>()
    expectTypeOf(pool.run<number>(ref(url, 'add'), [1, 2])).toEqualTypeOf<Promise<number>>()
    // @ts-expect-error -- '1' is not a number
    void pool.run(tasks.add, ['1', 2])
    // @ts-expect-error -- add returns a number, not a string
    const s: string = await pool.run(tasks.add, [1, 2])
    void s
  })

  test('runInActor infers the result of its portal', () => {
    expectTypeOf(nursery.runInActor(tasks.add, [40, 2])).toEqualTypeOf<Promise<Portal<number>>>()
    expectTypeOf(nursery.runInActor(tasks.add, [40, 2], { name: 'adder' })).toEqualTypeOf<Promise<Portal<number>>>()
    // @ts-expect-error -- '40' is not a number
    void nursery.runInActor(tasks.add, ['40', 2])
  })

  test('a plain FnRef works as before: the result type is given, arguments are unchecked', () => {
    const add = ref(url, 'add')
    expectTypeOf(portal.run<number>(add, [1, 2])).toEqualTypeOf<Promise<number>>()
    expectTypeOf(portal.run(add, [1, 2])).toEqualTypeOf<Promise<unknown>>()
    expectTypeOf(portal.stream<number>(add)).toEqualTypeOf<ActorStream<number>>()
    expectTypeOf(nursery.runInActor<number>(add, [1, 2])).toEqualTypeOf<Promise<Portal<number>>>()
    expectTypeOf(portal.run({ module: 'pkg', name: 'fn' })).toEqualTypeOf<Promise<unknown>>()
    // A typed ref is not a plain FnRef: a call that does not fit the typed signature cannot fall back to the untyped one.
    expectTypeOf<FnRef<typeof Tasks.add>>().not.toMatchTypeOf<FnRef>()
  })
})

describe('contexts', () => {
  const tasks = refs<typeof Tasks>(url)

  test('a context function is typed once where it is defined, in the order TStarted, TIn, TOut, TResult', () => {
    expectTypeOf<typeof Tasks.squarer>().toMatchTypeOf<ContextFunction<string, number, number, number, [label: string]>>()
    expectTypeOf<ActorContext<string, number, number>['started']>().parameter(0).toEqualTypeOf<string | undefined>()
    expectTypeOf<ActorContext<string, number, number>['send']>().parameter(0).toEqualTypeOf<number>()
  })

  test('openContext infers started, in, out and result from a typed ref', async () => {
    const ctx = await portal.openContext(tasks.squarer, ['squares'])
    expectTypeOf(ctx).toEqualTypeOf<Context<string, number, number, number>>()
    expectTypeOf(ctx.started).toEqualTypeOf<string>()
    expectTypeOf<(typeof ctx)['send']>().parameter(0).toEqualTypeOf<number>()
    expectTypeOf(ctx.result()).toEqualTypeOf<Promise<number>>()
    // @ts-expect-error -- squarer's label is a string
    void portal.openContext(tasks.squarer, [1])
    // @ts-expect-error -- add is not a context function
    void portal.openContext(tasks.add, [1, 2])
  })

  test('an unannotated context function opens with unknown types, and no arguments', async () => {
    expectTypeOf(await portal.openContext(tasks.plain)).toEqualTypeOf<Context<unknown, unknown, unknown, number>>()
  })

  test('openContext with a plain FnRef takes its generics in the same order', async () => {
    const ctx = await portal.openContext<string, number, number, number>(ref(url, 'squarer'), ['x'])
    expectTypeOf(ctx).toEqualTypeOf<Context<string, number, number, number>>()
  })

  test('context() infers its types from the annotated ctx', () => {
    const fn = context(async (ctx: ActorContext<boolean, string, Date>, n: number) => {
      ctx.started(true)
      return await Promise.resolve(n)
    })
    expectTypeOf(fn).toEqualTypeOf<ContextFunction<boolean, string, Date, number, [n: number]>>()
  })
})

describe('bind', () => {
  const bound = portal.bind<typeof Tasks>(url)

  test('functions become calls returning promises', () => {
    expectTypeOf(bound.add).toEqualTypeOf<(a: number, b: number) => Promise<number>>()
    expectTypeOf(bound.fetchUser('u')).toEqualTypeOf<Promise<{ id: string; name: string }>>()
    expectTypeOf(bound.note('x')).toEqualTypeOf<Promise<void>>()
    // @ts-expect-error -- '1' is not a number
    void bound.add('1', 2)
  })

  test('async and sync generators become streams', () => {
    expectTypeOf(bound.count(3)).toEqualTypeOf<ActorStream<number>>()
    expectTypeOf(bound.letters('abc')).toEqualTypeOf<ActorStream<string>>()
  })

  test('context functions are left out, annotated or not, and so are values and classes', () => {
    expectTypeOf(bound).not.toHaveProperty('squarer')
    expectTypeOf(bound).not.toHaveProperty('plain')
    expectTypeOf(bound).not.toHaveProperty('version')
    expectTypeOf<keyof Remote<typeof Tasks>>().toEqualTypeOf<
      'add' | 'fetchUser' | 'note' | 'optional' | 'count' | 'letters' | 'withCallback' | 'withNestedCallback' | 'withData'
    >()
  })

  test('bind takes call options with a signal; a bound call is a real promise', () => {
    const cancellable = portal.bind<typeof Tasks>(url, { signal: AbortSignal.timeout(1000) })
    expectTypeOf(cancellable.add(1, 2)).toEqualTypeOf<Promise<number>>()
    expectTypeOf(cancellable.add(1, 2)).toMatchTypeOf<PromiseLike<number>>()
    // @ts-expect-error -- the options are bind's, not a trailing argument of the call
    void bound.add(1, 2, { signal: AbortSignal.timeout(1) })
  })

  test('function-typed parameters are refused', () => {
    // @ts-expect-error -- a function cannot be sent
    void bound.withCallback(() => {})
    // @ts-expect-error -- nor one nested in an object
    void bound.withNestedCallback({ retries: 1, onRetry: () => {} })
  })
})
