/** Conformance: values a backend hands down the tree reach every descendant. */

import { withNursery } from '@harrow/core'
import { getTreeValue, setTreeValue } from '@harrow/core/backend'
import { describe, expect, test } from 'vitest'
import { fixtureModules, task } from '../fixture-modules.js'
import type { SuiteContext } from './context.js'

export function treeTests({ key }: SuiteContext): void {
  describe('tree values', () => {
    test('a tree value set in the root reaches children and grandchildren through their spawn specs', async () => {
      setTreeValue('conformance.probe', { secret: 'shared down the tree' })
      try {
        expect(getTreeValue('conformance.probe')).toEqual({ secret: 'shared down the tree' })
        await withNursery(
          async (nursery) => {
            const child = await nursery.startActor('heir', { enableModules: [fixtureModules.tasks] })
            expect(await child.run(task('treeValueHere'), ['conformance.probe'])).toEqual({
              child: { secret: 'shared down the tree' },
              grandchild: { secret: 'shared down the tree' },
            })
          },
          { spawnMethod: key },
        )
      } finally {
        setTreeValue('conformance.probe', undefined)
      }
      expect(() => setTreeValue('conformance.bad', () => 1)).toThrow(TypeError)
    })
  })
}
