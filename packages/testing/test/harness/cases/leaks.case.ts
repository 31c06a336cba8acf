// Deliberately leaking tests: the harness must fail each, naming what leaked.
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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

test('leaks a socket file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'harrow-leak-case-'))
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(join(dir, 'leaked.sock'), resolve))
  server.unref()
})

test('causes a process warning', () => {
  process.emitWarning('something is deprecated here', 'DeprecationWarning')
})
