/** Conformance: streams with backpressure and early exit, and two-way contexts. */

import { ActorCancelledError, RemoteActorError, withNursery } from '@harrow/core'
import { describe, expect, test } from 'vitest'
import { fixtureModules, task } from '../fixture-modules.js'
import type { SuiteContext } from './context.js'

export function streamTests({ key }: SuiteContext): void {
  const enableModules = [fixtureModules.tasks]

  describe('streams and contexts', () => {
    test('stream yields a remote async generator in order', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('counter', { enableModules })
          const items: number[] = []
          for await (const item of portal.stream<number>(task('count'), [5, 10])) items.push(item)
          expect(items).toEqual([10, 11, 12, 13, 14])
        },
        { spawnMethod: key },
      )
    })

    test('a 200k-item stream arrives complete and in order', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('firehose', { enableModules })
          let expected = 0
          for await (const item of portal.stream<number>(task('count'), [200_000])) {
            if (item !== expected) throw new Error(`item ${expected} arrived as ${item}`)
            expected++
          }
          expect(expected).toBe(200_000)
        },
        { spawnMethod: key },
      )
    })

    test('small and large items arrive in order, and every item yielded before a failure arrives before it', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('mixed', { enableModules })
          const items: unknown[] = []
          const failure = await (async () => {
            for await (const item of portal.stream(task('mixedThenBoom'), [1000, 100_000])) items.push(item)
          })().catch((e: unknown) => e)
          const expected: unknown[] = []
          for (let i = 0; i < 1000; i++) {
            expected.push(i)
            if (i % 100 === 99) expected.push('x'.repeat(100_000))
          }
          expect(items).toEqual(expected)
          expect(failure).toBeInstanceOf(RemoteActorError)
          expect(failure).toMatchObject({ remoteMessage: 'after the items' })
        },
        { spawnMethod: key },
      )
    })

    test('leaving a stream early cancels the remote generator and runs its finally', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('endless', { enableModules })
          let seen = 0
          for await (const item of portal.stream<number>(task('countForever'))) {
            seen = item
            if (item === 10) break
          }
          expect(seen).toBe(10)
          // return() waited for the remote finally, so it has already run.
          expect(await portal.run(task('counter'), ['finallies'])).toBe(1)
          expect(await portal.run(task('add'), [1, 1])).toBe(2)
        },
        { spawnMethod: key },
      )
    })

    test('a stream of a plain function, or a call of a generator, fails with a TypeError saying which to use', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('confused', { enableModules })
          await expect(portal.run(task('count'), [1])).rejects.toMatchObject({
            boxedType: 'TypeError',
            remoteMessage: expect.stringMatching(/portal\.stream/) as unknown,
          })
          const stream = portal.stream(task('add'), [1, 2])
          await expect(stream.next()).rejects.toMatchObject({ boxedType: 'TypeError', remoteMessage: expect.stringMatching(/portal\.run/) as unknown })
        },
        { spawnMethod: key },
      )
    })

    test('aborting a stream rejects the iterator and runs the remote finally', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('aborted-stream', { enableModules })
          const controller = new AbortController()
          const stream = portal.stream<number>(task('countForever'), [], { signal: controller.signal })
          expect((await stream.next()).value).toBe(0)
          controller.abort()
          await expect(stream.next()).rejects.toBeInstanceOf(ActorCancelledError)
          await expect.poll(() => portal.run(task('counter'), ['finallies']), { timeout: 5000 }).toBe(1)
        },
        { spawnMethod: key },
      )
    })

    test('a context talks both ways: started, send, end, iterate, result', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('chatty', { enableModules })
          const ctx = await portal.openContext<{ ready: boolean }, string, string, number>(task('echoContext'), ['> '])
          expect(ctx.started).toEqual({ ready: true })
          const heard: string[] = []
          const listening = (async () => {
            for await (const line of ctx) heard.push(line)
          })()
          for (let i = 0; i < 2000; i++) await ctx.send(`line ${i}`)
          ctx.end()
          await listening
          expect(heard).toHaveLength(2000)
          expect(heard[0]).toBe('> line 0')
          expect(heard[1999]).toBe('> line 1999')
          expect(await ctx.result()).toBe(2000)
        },
        { spawnMethod: key },
      )
    })

    test('a context that fails before started rejects openContext with the remote error', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('failing-context', { enableModules })
          const opening = portal.openContext(task('failsBeforeStarted'))
          await expect(opening).rejects.toBeInstanceOf(RemoteActorError)
          await expect(opening).rejects.toMatchObject({ boxedType: 'RangeError' })
        },
        { spawnMethod: key },
      )
    })
  })
}
