/** Conformance: booting, failing, cancelling and reaping actors. */

import { ActorCancelledError, ActorFailure, KILL_GRACE, RemoteActorError, openNursery, withNursery, type Portal } from '@harrow/core'
import { loadedSpawnBackends } from '@harrow/core/backend'
import { describe, expect, test } from 'vitest'
import { fixtureModules, task } from '../fixture-modules.js'
import { descendantPids, isAlive, waitFor } from '../processes.js'
import type { SuiteContext } from './context.js'

export function lifecycleTests({ key, capabilities }: SuiteContext): void {
  const enableModules = [fixtureModules.tasks]

  /** The OS processes of `portals`; empty for a backend without processes. */
  const pidsOf = (portals: readonly Portal[]): number[] => portals.flatMap((p) => (p.actor.pid !== undefined && capabilities.processes ? [p.actor.pid] : []))

  /** Processes below this test process that were not there at `before`, a backend's own long-lived ones aside. */
  const newChildren = (before: readonly number[]): number[] => {
    if (!capabilities.processes) return []
    const kept = new Set([...loadedSpawnBackends().values()].flatMap((backend) => backend.infrastructurePids?.() ?? []))
    return descendantPids().filter((pid) => !before.includes(pid) && !kept.has(pid))
  }

  describe('lifecycle', () => {
    test('a child that exits during boot is an ActorFailure with its exit code, and is reaped', async () => {
      const before = descendantPids()
      const nursery = await openNursery({ spawnMethod: key })
      const failure = await nursery.startActor('dies', { enableModules: [fixtureModules.exitsDuringBoot] }).catch((e: unknown) => e)
      expect(failure).toBeInstanceOf(ActorFailure)
      expect(failure).toMatchObject({ phase: 'boot', exitCode: 3, actor: { name: 'dies' } })
      // Bounded wait: a backend's pool may be refilling, and reports its new idle children a moment later.
      expect(await waitFor(() => newChildren(before).length === 0, 2000)).toBe(true)
      await nursery.close()
    })

    test('an enabled module that fails to import fails startActor with its error, and the actor is reaped', async () => {
      const before = descendantPids()
      const nursery = await openNursery({ spawnMethod: key })
      const failure = await nursery.startActor('broken', { enableModules: [fixtureModules.throwsOnImport] }).catch((e: unknown) => e)
      expect(failure).toBeInstanceOf(RemoteActorError)
      expect(failure).toMatchObject({ boxedType: 'Error', remoteMessage: 'this module fails to import' })
      expect(await waitFor(() => newChildren(before).length === 0, 2000)).toBe(true)
      await nursery.close()
    })

    test('cancelling a nursery while an actor boots leaves no process behind', async () => {
      const before = descendantPids()
      const nursery = await openNursery({ spawnMethod: key })
      const spawning = nursery.startActor('interrupted', { enableModules })
      await nursery.cancel()
      await expect(spawning).rejects.toBeInstanceOf(ActorCancelledError)
      // Bounded wait: a backend's pool may be refilling, and reports its new idle children a moment later.
      expect(await waitFor(() => newChildren(before).length === 0, 2000)).toBe(true)
      await nursery.close()
    })

    test('20 actors spawned at once all start and serve', async () => {
      await withNursery(
        async (nursery) => {
          const portals = await Promise.all(Array.from({ length: 20 }, (_, i) => nursery.startActor(`many-${i}`, { enableModules })))
          expect(new Set(portals.map((p) => p.actor.uid)).size).toBe(20)
          if (capabilities.processes) expect(new Set(pidsOf(portals)).size).toBe(20)
          expect(nursery.children).toHaveLength(20)
          expect(await Promise.all(portals.map((p, i) => p.run(task('add'), [i, 1])))).toEqual(portals.map((_, i) => i + 1))
        },
        { spawnMethod: key },
      )
    })

    test('actors with the same name spawned concurrently are distinct', async () => {
      await withNursery(
        async (nursery) => {
          const portals = await Promise.all(Array.from({ length: 5 }, () => nursery.startActor('twin', { enableModules })))
          expect(new Set(portals.map((p) => p.actor.uid)).size).toBe(5)
          const whoami = await Promise.all(portals.map((p) => p.run<{ uid: string }>(task('whoAmI'))))
          expect(whoami.map((w) => w.uid)).toEqual(portals.map((p) => p.actor.uid))
        },
        { spawnMethod: key },
      )
    })

    test('one failing child cancels its siblings, and the nursery rethrows its error', async () => {
      let sleeper: Portal | undefined
      const failure = await withNursery(
        async (nursery) => {
          sleeper = await nursery.startActor('sleeper', { enableModules })
          const pending = sleeper.run(task('sleep'), [60_000])
          await nursery.runInActor(task('boom'), ['sibling failed'])
          await pending
        },
        { spawnMethod: key },
      ).catch((e: unknown) => e)
      expect(failure).toBeInstanceOf(RemoteActorError)
      expect(failure).toMatchObject({ boxedType: 'TypeError', remoteMessage: 'sibling failed' })
      for (const pid of pidsOf(sleeper ? [sleeper] : [])) expect(isAlive(pid)).toBe(false)
    })

    test('aborting the nursery signal cancels every actor and rejects with ActorCancelledError', async () => {
      const controller = new AbortController()
      const portals: Portal[] = []
      const outcome = withNursery(
        async (nursery) => {
          portals.push(await nursery.startActor('a', { enableModules }), await nursery.startActor('b', { enableModules }))
          setTimeout(() => controller.abort(), 50)
          await Promise.all(portals.map((p) => p.run(task('sleep'), [60_000])))
        },
        { spawnMethod: key, signal: controller.signal },
      )
      await expect(outcome).rejects.toBeInstanceOf(ActorCancelledError)
      for (const pid of pidsOf(portals)) expect(isAlive(pid)).toBe(false)
    })

    test('a wedged actor (a synchronous infinite loop) is hard-killed within terminateAfter', async () => {
      const terminateAfter = 500
      const nursery = await openNursery({ spawnMethod: key, terminateAfter })
      const portal = await nursery.startActor('wedged', { enableModules })
      portal.run(task('spin')).catch(() => {})
      await new Promise((resolve) => setTimeout(resolve, 100))
      const started = performance.now()
      await nursery.cancel()
      // A bound against a hang, with room for a loaded machine: the kill itself comes at terminateAfter + KILL_GRACE.
      expect(performance.now() - started).toBeLessThan(terminateAfter + KILL_GRACE + 2000)
      for (const pid of pidsOf([portal])) expect(isAlive(pid)).toBe(false)
      await nursery.close()
    })

    test('cancelActor asks an actor to exit and resolves true once it acknowledged', async () => {
      const nursery = await openNursery({ spawnMethod: key })
      const portal = await nursery.startActor('leaving', { enableModules })
      expect(await portal.cancelActor()).toBe(true)
      await expect(portal.run(task('add'), [1, 2])).rejects.toBeInstanceOf(ActorCancelledError)
      expect(await portal.cancelActor()).toBe(false)
      await nursery.close()
      for (const pid of pidsOf([portal])) expect(isAlive(pid)).toBe(false)
    })

    test('cancelling several wedged actors costs one terminateAfter, not one each', async () => {
      // Long enough that one terminateAfter plus a loaded machine's delays (four spinning actors on two cores) stays
      // well under one each.
      const terminateAfter = 1500
      const nursery = await openNursery({ spawnMethod: key, terminateAfter })
      const portals = await Promise.all(Array.from({ length: 4 }, (_, i) => nursery.startActor(`wedged-${i}`, { enableModules })))
      for (const portal of portals) portal.run(task('spin')).catch(() => {})
      await new Promise((resolve) => setTimeout(resolve, 100))
      const started = performance.now()
      await nursery.cancel()
      expect(performance.now() - started).toBeLessThan(portals.length * terminateAfter)
      for (const pid of pidsOf(portals)) expect(isAlive(pid)).toBe(false)
      await nursery.close()
    })

    test('an idle daemon is cancelled politely when its nursery closes, well under terminateAfter', async () => {
      const terminateAfter = 20_000
      const nursery = await openNursery({ spawnMethod: key, terminateAfter })
      const portal = await nursery.startActor('idle', { enableModules })
      const started = performance.now()
      await nursery.close()
      expect(performance.now() - started).toBeLessThan(terminateAfter / 4)
      for (const pid of pidsOf([portal])) expect(isAlive(pid)).toBe(false)
    })

    test("a grandchild's error is relayed with its origin, relay path and the next hop as cause", async () => {
      await withNursery(
        async (nursery) => {
          const child = await nursery.startActor('middle', { enableModules })
          const failure = await child.run(task('relayGrandchildError'), ['from below']).catch((e: unknown) => e)
          expect(failure).toBeInstanceOf(RemoteActorError)
          const relayed = failure as RemoteActorError
          expect(relayed.boxedType).toBe('TypeError')
          expect(relayed.remoteMessage).toBe('from below')
          expect(relayed.actor.name).toBe('middle')
          expect(relayed.src.name).toBe('grandchild')
          expect(relayed.relayPath.map((a) => a.name)).toEqual(['grandchild', 'middle'])
          expect(relayed.cause).toBeInstanceOf(RemoteActorError)
          expect(relayed.cause).toMatchObject({ actor: { name: 'grandchild' }, relayPath: [{ name: 'grandchild' }] })
          expect(relayed.remoteStack).toContain('tasks.mjs')
        },
        { spawnMethod: key },
      )
    })

    test('actors spawn their own children with their own spawn method by default', async () => {
      await withNursery(
        async (nursery) => {
          const child = await nursery.startActor('parent', { enableModules })
          expect(await child.run(task('grandchildSpawnMethod'))).toEqual({ child: key, grandchild: key })
        },
        { spawnMethod: key },
      )
    })
  })
}
