/** Conformance: many failures at once, and failures that must get through a wedged subtree. */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ActorNurseryError, RemoteActorError, withNursery } from '@harrow/core'
import { describe, expect, test } from 'vitest'
import { fixtureModules, task } from '../fixture-modules.js'
import type { SuiteContext } from './context.js'

export function failureTests({ key }: SuiteContext): void {
  describe('failures', () => {
    test('25 children failing at once give an ActorNurseryError of exactly 25 RemoteActorErrors', async () => {
      // All 25 are started first and then fail together (a file is the barrier), so the cancel cascade
      // that the first failure starts overlaps the others' failures: none may be lost to it.
      const barrier = join(mkdtempSync(join(tmpdir(), 'harrow-barrier-')), 'go')
      const failure = await withNursery(
        async (nursery) => {
          await Promise.all(
            Array.from({ length: 25 }, (_, i) => nursery.runInActor(task('boomWhenExists'), [barrier, `failure ${i}`], { name: `failing-${i}` })),
          )
          writeFileSync(barrier, 'go')
        },
        { spawnMethod: key },
      ).catch((e: unknown) => e)
      rmSync(dirname(barrier), { recursive: true, force: true })
      expect(failure).toBeInstanceOf(ActorNurseryError)
      const errors = (failure as ActorNurseryError).errors as unknown[]
      expect(errors).toHaveLength(25)
      for (const error of errors) expect(error).toBeInstanceOf(RemoteActorError)
      const messages = errors.map((e) => (e as RemoteActorError).remoteMessage).sort()
      expect(messages).toEqual(Array.from({ length: 25 }, (_, i) => `failure ${i}`).sort())
    })

    test('a grandchild stuck in sync code is hard-killed and the root still sees the original error within 4 s', async () => {
      await withNursery(
        async (nursery) => {
          const child = await nursery.startActor('parent-of-stuck', { enableModules: [fixtureModules.tasks] })
          const started = performance.now()
          const failure = await child.run(task('failWithWedgedGrandchild'), ['the original error']).catch((e: unknown) => e)
          expect(performance.now() - started).toBeLessThan(4000)
          expect(failure).toBeInstanceOf(RemoteActorError)
          expect(failure).toMatchObject({ boxedType: 'TypeError', remoteMessage: 'the original error', src: { name: 'failing-grandchild' } })
        },
        { spawnMethod: key },
      )
    })
  })
}

export function uncaughtTests({ key }: SuiteContext): void {
  describe('uncaught errors', () => {
    test("a daemon's uncaught error fails its nursery with that error, boxed", async () => {
      const failure = await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('careless', { enableModules: [fixtureModules.tasks] })
          expect(await portal.run(task('throwLater'), ['thrown from a timer'])).toBe('scheduled')
          await portal.run(task('sleep'), [60_000])
        },
        { spawnMethod: key },
      ).catch((e: unknown) => e)
      expect(failure).toBeInstanceOf(RemoteActorError)
      expect(failure).toMatchObject({ boxedType: 'RangeError', remoteMessage: 'thrown from a timer', actor: { name: 'careless' } })
    })

    test("a one-shot's uncaught error, while its main task waits, is the nursery's error", async () => {
      const failure = await withNursery(
        async (nursery) => {
          await nursery.runInActor(task('throwLaterAndWait'), ['thrown while waiting'], { name: 'careless-one-shot' })
        },
        { spawnMethod: key },
      ).catch((e: unknown) => e)
      expect(failure).toBeInstanceOf(RemoteActorError)
      expect(failure).toMatchObject({ boxedType: 'RangeError', remoteMessage: 'thrown while waiting' })
    })
  })
}
