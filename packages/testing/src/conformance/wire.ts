/** Conformance: a peer that breaks the protocol is cut off and reaped; the parent carries on. */

import { ProtocolError, withNursery, type Portal } from '@harrow/core'
import { describe, expect, test } from 'vitest'
import { fixtureModules, task } from '../fixture-modules.js'
import { isAlive } from '../processes.js'
import type { SuiteContext } from './context.js'

export function wireTests({ key }: SuiteContext): void {
  const enableModules = [fixtureModules.tasks]

  describe('wire faults', () => {
    test('a malformed frame is a ProtocolError: the channel closes, the actor is reaped, the parent carries on', async () => {
      let garbler: Portal | undefined
      const failure = await withNursery(
        async (nursery) => {
          garbler = await nursery.startActor('garbler', { enableModules })
          await garbler.run(task('sendGarbage'))
        },
        { spawnMethod: key },
      ).catch((e: unknown) => e)
      expect(failure).toBeInstanceOf(ProtocolError)
      expect(failure).toMatchObject({ violation: 'malformed', actor: { name: 'garbler' } })
      if (garbler?.actor.pid !== undefined) expect(isAlive(garbler.actor.pid)).toBe(false)
      expect(await withNursery(async (nursery) => (await nursery.runInActor(task('add'), [1, 2])).result(), { spawnMethod: key })).toBe(3)
    })

    test('an oversized frame is a ProtocolError before it is read', async () => {
      const failure = await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('oversharer', { enableModules, maxFrameSize: 4096 })
          expect(await portal.run(task('bigString'), [100])).toHaveLength(100)
          await portal.run(task('bigString'), [64 * 1024])
        },
        { spawnMethod: key },
      ).catch((e: unknown) => e)
      expect(failure).toBeInstanceOf(ProtocolError)
      expect(failure).toMatchObject({ violation: 'oversized', actor: { name: 'oversharer' } })
    })
  })
}
