// Deliberately leaking tests: the harness must fail each, naming what leaked.
import { spawn } from 'node:child_process'
import { openNursery } from '@harrow/core'
import { test } from 'vitest'

test('leaks a plain child process', () => {
  spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000) // leaked-on-purpose'], { stdio: 'ignore' })
})

test('leaks an actor', async () => {
  const nursery = await openNursery()
  await nursery.startActor('forgotten-actor')
})

test('leaks nothing', async () => {
  const nursery = await openNursery()
  await nursery.startActor('remembered-actor')
  await nursery.close()
})
