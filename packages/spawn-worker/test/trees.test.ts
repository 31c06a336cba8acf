import '@harrow/spawn-process'
import '@harrow/spawn-worker'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ref, withNursery } from '@harrow/core'
import { isAlive, waitFor } from './processes.js'
import { describe, expect, test } from 'vitest'

const tasks = new URL('./fixtures/worker-tasks.mjs', import.meta.url)
const enableModules = [tasks]

interface Who {
  readonly spawnMethod: string
  readonly pid?: number
  readonly threadId?: number
}

describe('mixed trees', () => {
  test('a worker actor spawns a process actor', async () => {
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('thread-parent', { enableModules })
        const { self, child } = await portal.run<{ self: Who; child: Who }>(ref(tasks, 'childWith'), ['process'])
        expect(self).toMatchObject({ spawnMethod: 'worker', pid: process.pid })
        expect(child.spawnMethod).toBe('process')
        expect(child.pid).not.toBe(process.pid)
      },
      { spawnMethod: 'worker' },
    )
  })

  test('a process actor spawns a worker actor', async () => {
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('process-parent', { enableModules })
        const { self, child } = await portal.run<{ self: Who; child: Who }>(ref(tasks, 'childWith'), ['worker'])
        expect(self.spawnMethod).toBe('process')
        expect(child).toMatchObject({ spawnMethod: 'worker', pid: self.pid })
        expect(child.threadId).toBeGreaterThan(0)
      },
      { spawnMethod: 'process' },
    )
  })

  test('when the root is SIGKILLed, the process grandchild of its worker actor exits within 2 s', async () => {
    const program = fileURLToPath(new URL('./fixtures/roots/worker-with-process-grandchild.mjs', import.meta.url))
    const workerEntry = new URL('../dist/index.js', import.meta.url).href
    const processEntry = pathToFileURL(createRequire(import.meta.url).resolve('@harrow/spawn-process')).href
    // Its own process group, so that a failed test can still clean up everything it started.
    const root = spawn(process.execPath, [program, workerEntry, processEntry], { stdio: ['ignore', 'pipe', 'inherit'], detached: true })
    try {
      const lines = createInterface({ input: root.stdout })
      const exited = once(root, 'exit').then(([code]) => {
        throw new Error(`the root program exited early with ${String(code)}`)
      })
      const [line] = (await Promise.race([once(lines, 'line'), exited])) as [string]
      lines.close()
      const { grandchild } = JSON.parse(line) as { grandchild: number }
      expect(grandchild).not.toBe(root.pid)
      expect(isAlive(grandchild)).toBe(true)
      root.kill('SIGKILL')
      expect(await waitFor(() => !isAlive(grandchild), 2000)).toBe(true)
    } finally {
      try {
        process.kill(-(root.pid as number), 'SIGKILL')
      } catch {
        // already gone
      }
    }
  })
})
