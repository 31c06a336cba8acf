// The spawnMethod and nursery fixtures.
import { currentActor, ref } from '@harrow/core'
import { test } from '@harrow/testing'
import { expect } from 'vitest'

const tasks = new URL('../../../fixtures/tasks.mjs', import.meta.url)

test('the nursery fixture spawns on the project backend and is closed after the test', async ({ nursery, spawnMethod }) => {
  expect(spawnMethod).toBe('process')
  const portal = await nursery.startActor('fixture-actor', { enableModules: [tasks] })
  expect(portal.actor.spawnMethod).toBe(spawnMethod)
  expect(currentActor().name).toBe('root')
  expect(await portal.run(ref(tasks, 'add'), [1, 2])).toBe(3)
})

test('a child that fails makes the test fail through the nursery fixture', async ({ nursery }) => {
  await nursery.runInActor(ref(tasks, 'boom'), ['failed inside the fixture nursery'])
})
