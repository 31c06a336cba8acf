/** The extended vitest `test`: `spawnMethod` and `nursery` fixtures. */

import { openNursery, type ActorNursery, type SpawnMethodKey } from '@harrow/core'
import { test as base } from 'vitest'
import { projectSpawnMethod } from './provided.js'

/** The fixtures harrow adds to a test's context. */
export interface HarrowFixtures {
  /** The spawn method of the project this test runs in. */
  spawnMethod: SpawnMethodKey
  /**
   * A nursery on that spawn method, closed after the test: a child that failed
   * fails the test. Leaked processes and actors are checked by the harness's
   * setup file for every test.
   */
  nursery: ActorNursery
}

/** vitest's `test`, with harrow's {@link HarrowFixtures}. */
export const test = base.extend<HarrowFixtures>({
  // eslint-disable-next-line no-empty-pattern -- vitest reads fixture dependencies from the destructuring
  spawnMethod: async ({}, use) => {
    await use(projectSpawnMethod())
  },
  nursery: async ({ spawnMethod }, use) => {
    const nursery = await openNursery({ spawnMethod })
    try {
      await use(nursery)
    } finally {
      await nursery.close()
    }
  },
})
