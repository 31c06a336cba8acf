/** Conformance: calls, bind, one-shot results, values and errors on the wire. */

import { ActorCancelledError, RemoteActorError, isHarrowError, withNursery } from '@harrow/core'
import { inspect } from 'node:util'
import { describe, expect, test } from 'vitest'
import { fixtureModules, task } from '../fixture-modules.js'
import type { SuiteContext } from './context.js'

/** The part of the tasks fixture that the bind test types. */
interface Tasks {
  add(a: number, b: number): number
  echo(value: unknown): unknown
  counter(name: string): number
  sleep(ms: number): Promise<string>
  count(n: number): AsyncGenerator<number>
  letters(word: string): Generator<string>
  boom(message?: string): void
}

export function callTests({ key }: SuiteContext): void {
  const enableModules = [fixtureModules.tasks]

  describe('calls', () => {
    test('run calls an exported function and resolves with its result', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('adder', { enableModules })
          expect(portal.actor).toMatchObject({ name: 'adder', spawnMethod: key })
          expect(await portal.run(task('add'), [1, 2])).toBe(3)
          const results = await Promise.all(Array.from({ length: 50 }, (_, i) => portal.run<number>(task('add'), [i, i])))
          expect(results).toEqual(Array.from({ length: 50 }, (_, i) => 2 * i))
        },
        { spawnMethod: key },
      )
    })

    test('bind gives a typed proxy whose methods call, and whose generators stream', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('bound', { enableModules })
          const tasks = portal.bind<Tasks>(fixtureModules.tasks)
          expect(await tasks.add(40, 2)).toBe(42)
          const items: number[] = []
          for await (const item of tasks.count(3)) items.push(item)
          expect(items).toEqual([0, 1, 2])
          await expect(tasks.boom('bound boom')).rejects.toMatchObject({ name: 'RemoteActorError', boxedType: 'TypeError' })
          const letters: string[] = []
          for await (const letter of tasks.letters('abc')) letters.push(letter)
          expect(letters).toEqual(['a', 'b', 'c'])
        },
        { spawnMethod: key },
      )
    })

    test('a bound call is sent when it is made, like a promise, and a bound stream may be iterated later', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('eager', { enableModules })
          const tasks = portal.bind<Tasks>(fixtureModules.tasks)
          const before = await tasks.counter('calls')
          const call = tasks.add(1, 2)
          expect(call).toBeInstanceOf(Promise)
          // Calls on one actor are served in order: the add was sent before this counter call, unawaited.
          expect(await tasks.counter('calls')).toBe(before + 1)
          expect(await call).toBe(3)
          const later = tasks.count(3)
          await tasks.add(0, 0)
          const items: number[] = []
          for await (const item of later) items.push(item)
          expect(items).toEqual([0, 1, 2])
          // Awaiting a stream, or iterating a call, says which to do instead.
          await expect(tasks.count(2) as unknown as Promise<unknown>).rejects.toThrow(/iterate its stream/)
          const iterated = tasks.add(1, 1) as unknown as AsyncIterable<unknown>
          const drain = async (): Promise<void> => {
            for await (const item of iterated) void item
          }
          await expect(drain()).rejects.toThrow(/await its result/)
          expect(await portal.run(task('add'), [1, 1])).toBe(2)
        },
        { spawnMethod: key },
      )
    })

    test('bound calls take a signal through bind, and refuse unsendable arguments by rejecting, as run does', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('bound-signal', { enableModules })
          const controller = new AbortController()
          const cancellable = portal.bind<Tasks>(fixtureModules.tasks, { signal: controller.signal })
          const call = cancellable.sleep(60_000)
          await new Promise((resolve) => setTimeout(resolve, 50))
          controller.abort(new Error('changed my mind'))
          await expect(call).rejects.toBeInstanceOf(ActorCancelledError)
          await expect(call).rejects.toMatchObject({ actor: { name: 'bound-signal', uid: portal.actor.uid } })
          await expect.poll(() => portal.run(task('counter'), ['cancelled']), { timeout: 5000 }).toBe(1)
          await expect(cancellable.add(1, 2)).rejects.toBeInstanceOf(ActorCancelledError)
          const tasks = portal.bind<Tasks>(fixtureModules.tasks)
          const before = await tasks.counter('calls')
          const refused = tasks.echo({ onDone: () => 1 })
          expect(refused).toBeInstanceOf(Promise)
          await expect(refused).rejects.toThrow(/args\[0\]\.onDone/)
          await expect(portal.run(task('echo'), [{ onDone: () => 1 }])).rejects.toThrow(/args\[0\]\.onDone/)
          expect(await tasks.counter('calls')).toBe(before)
        },
        { spawnMethod: key },
      )
    })

    test('runInActor runs one function in a fresh actor and result() is its return value', async () => {
      const total = await withNursery(
        async (nursery) => {
          const portal = await nursery.runInActor<number>(task('add'), [40, 2])
          expect(portal.actor.name).toBe('add')
          return portal.result()
        },
        { spawnMethod: key },
      )
      expect(total).toBe(42)
    })

    test('values of every supported type round-trip identically', async () => {
      const error = new RangeError('out of range', { cause: new Error('inner') })
      Object.assign(error, { code: 'E_RANGE', detail: { n: 1 } })
      const values: unknown[] = [
        undefined,
        null,
        true,
        0,
        -1.5,
        2 ** 53,
        Number.NaN,
        'text ✓',
        12345678901234567890n,
        -5n,
        [1, [2, [3]], undefined],
        { a: 1, nested: { b: [null, undefined] }, missing: undefined },
        new Map<unknown, unknown>([
          ['a', 1],
          [2, 'b'],
          [{ k: 1 }, new Set([1])],
        ]),
        new Set([1, 'two', 3n]),
        new Date('2020-01-02T03:04:05.678Z'),
        new Uint8Array([1, 2, 3]),
        Buffer.from('buffer'),
        new Float64Array([1.5, -2.5]),
        new Int32Array([-1, 2]),
        error,
      ]
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('echo', { enableModules })
          for (const value of values) {
            const back = await portal.run(task('echo'), [value])
            expect(back).toStrictEqual(value)
            if (value !== null && typeof value === 'object') expect(Object.getPrototypeOf(back)).toBe(Object.getPrototypeOf(value))
          }
          const back = await portal.run<Error>(task('echo'), [error])
          expect(back.stack).toBe(error.stack)
          expect(back.cause).toStrictEqual(error.cause)
          expect(back).toMatchObject({ name: 'RangeError', code: 'E_RANGE', detail: { n: 1 } })
        },
        { spawnMethod: key },
      )
    })

    test('an unsendable argument fails at the call site with a TypeError naming its path, and nothing is sent', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('strict', { enableModules })
          const before = await portal.run<number>(task('counter'), ['calls'])
          await expect(portal.run(task('echo'), [{ user: { onSave: () => 1 } }])).rejects.toThrow(/args\[0\]\.user\.onSave/)
          await expect(portal.run(task('echo'), [{ when: Symbol('s') }])).rejects.toThrow(TypeError)
          class Account {
            #balance = 1
            get balance(): number {
              return this.#balance
            }
          }
          await expect(portal.run(task('echo'), [[1, new Account()]])).rejects.toThrow(/an instance of Account at args\[0\]\[1\]/)
          const cyclic: Record<string, unknown> = {}
          cyclic.self = cyclic
          await expect(portal.run(task('echo'), [cyclic])).rejects.toThrow(/circular reference at args\[0\]\.self/)
          expect(() => portal.stream(task('count'), [() => 1])).toThrow(TypeError)
          // runInActor refuses before an actor is started for a call that could never be sent.
          const actorsBefore = nursery.children.length
          await expect(nursery.runInActor(task('echo'), [{ onDone: () => 1 }])).rejects.toThrow(/args\[0\]\.onDone/)
          expect(nursery.children).toHaveLength(actorsBefore)
          expect(await portal.run<number>(task('counter'), ['calls'])).toBe(before)
        },
        { spawnMethod: key },
      )
    })

    test('an unsendable return value is a RemoteActorError naming the return value', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('returns-badly', { enableModules })
          await expect(portal.run(task('unsendableResult'))).rejects.toMatchObject({
            boxedType: 'TypeError',
            remoteMessage: expect.stringMatching(/return value\.handler/) as unknown,
          })
          expect(await portal.run(task('add'), [1, 1])).toBe(2)
        },
        { spawnMethod: key },
      )
    })

    test('calling a module that is not enabled fails that call and the actor keeps serving', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('guarded', { enableModules })
          const refused = portal.run({ module: fixtureModules.other.href, name: 'notEnabled' })
          await expect(refused).rejects.toBeInstanceOf(RemoteActorError)
          await expect(refused).rejects.toMatchObject({ boxedType: 'ModuleNotEnabledError' })
          await expect(portal.run(task('noSuchExport'))).rejects.toMatchObject({ boxedType: 'TypeError' })
          expect(await portal.run(task('add'), [2, 3])).toBe(5)
        },
        { spawnMethod: key },
      )
    })

    test('a remote error arrives boxed with its type, message, fields, stack and actor', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('thrower', { enableModules })
          const error = await portal.run(task('boom'), ['kaboom']).catch((e: unknown) => e)
          expect(error).toBeInstanceOf(RemoteActorError)
          expect(isHarrowError(error)).toBe(true)
          const remote = error as RemoteActorError
          expect(remote.boxedType).toBe('TypeError')
          expect(remote.remoteMessage).toBe('kaboom')
          expect(remote.fields).toEqual({ code: 'E_BOOM' })
          expect(remote.remoteStack).toContain('tasks.mjs')
          expect(remote.stack).toContain('tasks.mjs')
          // An actor on another host also names it (`host`): where the error came from.
          expect(remote.actor).toMatchObject({ name: 'thrower', uid: portal.actor.uid })
          expect(remote.src).toEqual(remote.actor)
          expect(remote.relayPath).toEqual([remote.actor])
          // A crash log shows where the call was made in the caller's code, and the error's fields.
          expect(remote.stack).toMatch(/--- called from ---\n {4}at .*testing/)
          expect(inspect(remote)).toContain("fields: { code: 'E_BOOM' }")
          // So does a bound call's error, a stream's, and a context's.
          const fromBound = await portal
            .bind<Tasks>(fixtureModules.tasks)
            .boom('bound')
            .catch((e: unknown) => e)
          expect((fromBound as Error).stack).toMatch(/--- called from ---\n {4}at .*testing/)
          const fromStream = await (async () => {
            for await (const _ of portal.stream(task('boomAfter'), [2, 'in a stream'])) void _
          })().catch((e: unknown) => e)
          expect(fromStream).toMatchObject({ remoteMessage: 'in a stream' })
          expect((fromStream as Error).stack).toMatch(/--- called from ---\n {4}at .*testing/)
          const fromContext = await portal.openContext(task('failsBeforeStarted')).catch((e: unknown) => e)
          expect(fromContext).toBeInstanceOf(RemoteActorError)
          expect((fromContext as Error).stack).toMatch(/--- called from ---\n {4}at .*testing/)
        },
        { spawnMethod: key },
      )
    })

    test('aborting one call cancels its remote task and leaves the actor serving', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('sleeper', { enableModules })
          const controller = new AbortController()
          const call = portal.run(task('sleep'), [60_000], { signal: controller.signal })
          await new Promise((resolve) => setTimeout(resolve, 50))
          controller.abort(new Error('changed my mind'))
          await expect(call).rejects.toBeInstanceOf(ActorCancelledError)
          await expect(call).rejects.toMatchObject({ actor: { name: 'sleeper', uid: portal.actor.uid } })
          await expect.poll(() => portal.run(task('counter'), ['cancelled']), { timeout: 5000 }).toBe(1)
          expect(await portal.run(task('add'), [1, 2])).toBe(3)
          await expect(portal.run(task('add'), [1, 2], { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(ActorCancelledError)
        },
        { spawnMethod: key },
      )
    })
  })
}
