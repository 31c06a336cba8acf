// A server that refuses to forward to the actor's watchdog (AllowStreamLocalForwarding no, as hardened servers set it):
// the watchdog keeps reading the actor's channel and passing it on, every call is served once, and the watchdog acts on
// the signals that arrive there, a wedged actor included.
import { ref, withNursery } from '@harrow/core'
import '@harrow/spawn-ssh'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { sshdUnavailable, startSshd, type TestSshd } from '@harrow/spawn-ssh/test-sshd'
import { isAlive } from './fixtures/processes.js'

const tasks = new URL('./fixtures/tasks.mjs', import.meta.url)
const unavailable = sshdUnavailable()

describe.skipIf(unavailable !== undefined)(`a server that refuses the watchdog's link${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let sshd: TestSshd
  beforeAll(async () => {
    sshd = await startSshd({ sshdConfig: ['AllowStreamLocalForwarding no'] })
  })
  afterAll(async () => {
    await sshd?.stop()
  })
  const backend = () => ({ host: sshd.host, ssh: { configFile: sshd.configFile, node: process.execPath } })

  test('calls made while the link fails are each served once, in order; the actor holds no link', async () => {
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('unlinked', { enableModules: [tasks], backend: backend() })
        // Calls in flight from the first moment on, while the link is tried and fails.
        const sums: number[] = []
        for (let round = 0; round < 40; round++) {
          sums.push(...(await Promise.all(Array.from({ length: 10 }, (_, i) => portal.run<number>(ref(tasks, 'add'), [round, i])))))
          await new Promise((resolve) => setTimeout(resolve, 5))
        }
        expect(sums).toEqual(Array.from({ length: 400 }, (_, k) => Math.floor(k / 10) + (k % 10)))
        expect(await portal.run(ref(tasks, 'watchdogLinks'))).toEqual([])
      },
      { spawnMethod: 'ssh' },
    )
  })

  test('a wedged actor is killed on its host by the terminateAfter ladder, its signal on the channel', async () => {
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('unlinked-wedged', { enableModules: [tasks], backend: backend(), terminateAfter: 300 })
        const who = await portal.run<{ pid: number }>(ref(tasks, 'whoami'))
        await new Promise((resolve) => setTimeout(resolve, 300))
        portal.run(ref(tasks, 'spin'), [60_000]).catch(() => {})
        await new Promise((resolve) => setTimeout(resolve, 100))
        await nursery.cancel()
        expect(isAlive(who.pid)).toBe(false)
      },
      { spawnMethod: 'ssh' },
    )
  })
})
