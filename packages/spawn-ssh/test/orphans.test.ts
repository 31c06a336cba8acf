// No orphans across hosts: whatever ends the link (the parent killed, the ssh client killed, a partition), the remote actor cancels its subtree and exits in bounded time.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { ActorFailure, ref, withNursery } from '@harrow/core'
import '@harrow/spawn-ssh'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createNetns, netnsUnavailable, type TestNetns } from './fixtures/netns.js'
import { isAlive, waitFor } from './fixtures/processes.js'
import { sshdUnavailable, startSshd, type TestSshd } from '@harrow/spawn-ssh/test-sshd'

const tasks = new URL('./fixtures/tasks.mjs', import.meta.url)
const rootProgram = fileURLToPath(new URL('./fixtures/root.mjs', import.meta.url))
const unavailable = sshdUnavailable()
/** EOF reaches the remote actor at once; it then gives its subtree ORPHAN_TERMINATE_AFTER (1 s) and exits: 2 s with slack. */
const EOF_BOUND = 2000
/** A wedged remote actor cannot leave by itself: its watchdog thread kills it ORPHAN_TERMINATE_AFTER + 1 s after EOF. */
const WEDGED_BOUND = 4000

type Pids = { remote: number; grandchild: number; client: number }

async function startRoot(args: object): Promise<{ pids: Pids; kill: () => Promise<void> }> {
  const root = spawn(process.execPath, [rootProgram, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = once(root, 'exit')
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: root.stdout })
    lines.once('line', resolve)
    root.once('exit', (code) => reject(new Error(`the root program exited with ${code} before reporting`)))
  })
  return {
    pids: JSON.parse(line) as Pids,
    kill: async () => {
      if (root.exitCode === null && root.signalCode === null) root.kill('SIGKILL')
      await exited
    },
  }
}

describe.skipIf(unavailable !== undefined)(`no orphans across hosts${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let sshd: TestSshd
  beforeAll(async () => {
    sshd = await startSshd()
  })
  afterAll(async () => {
    await sshd?.stop()
  })
  const backend = () => ({ host: sshd.host, ssh: { configFile: sshd.configFile, node: process.execPath } })

  test('a root killed with SIGKILL: its remote actor and the actor its remote actor started exit, and so does the ssh client', async () => {
    const root = await startRoot(backend())
    const { remote, grandchild, client } = root.pids
    try {
      expect([remote, grandchild, client].every(isAlive)).toBe(true)
      await root.kill()
      expect(await waitFor(() => ![remote, grandchild, client].some(isAlive), EOF_BOUND)).toBe(true)
    } finally {
      await root.kill()
      for (const pid of [remote, grandchild, client]) if (isAlive(pid)) process.kill(pid, 'SIGKILL')
    }
  })

  test('a root killed with SIGKILL while its remote actor is wedged: the actor is killed on its host, and the ssh client exits', async () => {
    const root = await startRoot({ ...backend(), wedge: true })
    const { remote, grandchild, client } = root.pids
    try {
      expect([remote, grandchild, client].every(isAlive)).toBe(true)
      await root.kill()
      expect(await waitFor(() => ![remote, grandchild, client].some(isAlive), WEDGED_BOUND)).toBe(true)
    } finally {
      await root.kill()
      for (const pid of [remote, grandchild, client]) if (isAlive(pid)) process.kill(pid, 'SIGKILL')
    }
  })

  test('the ssh client killed: an ActorFailure in the parent, and the remote actor and its subtree exit', async () => {
    let pids: number[] = []
    const failure = await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('remote', { enableModules: [tasks], backend: backend() })
        const { pid } = await portal.run<{ pid: number }>(ref(tasks, 'whoami'))
        const grandchild = await portal.run<number>(ref(tasks, 'spawnGrandchild'))
        pids = [pid, grandchild]
        process.kill(portal.actor.pid as number, 'SIGKILL')
        await portal.run(ref(tasks, 'sleep'), [60_000])
      },
      { spawnMethod: 'ssh' },
    ).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(ActorFailure)
    expect(failure).toMatchObject({ actor: { name: 'remote' }, signal: 'SIGKILL', phase: 'running' })
    expect(await waitFor(() => !pids.some(isAlive), EOF_BOUND)).toBe(true)
  })
})

const netnsReason = unavailable ?? netnsUnavailable()

describe.skipIf(netnsReason !== undefined)(`a network partition${netnsReason ? ` (skipped: ${netnsReason})` : ''}`, () => {
  let netns: TestNetns
  let sshd: TestSshd
  beforeAll(async () => {
    netns = createNetns()
    sshd = await startSshd({ address: netns.remoteAddress, netns: netns.name, alias: 'other-host' })
  })
  afterAll(async () => {
    await sshd?.stop()
    netns?.remove()
  })

  test('the remote actor hears no heartbeat, cancels its subtree and exits; the parent sees an ActorFailure', async () => {
    const heartbeatTimeout = 2000
    let pids: number[] = []
    const started = { at: 0 }
    const failure = await withNursery(
      async (nursery) => {
        const ssh = { configFile: sshd.configFile, node: process.execPath, heartbeatTimeout }
        const portal = await nursery.startActor('across', { enableModules: [tasks], backend: { host: sshd.host, ssh } })
        const { pid } = await portal.run<{ pid: number }>(ref(tasks, 'whoami'))
        const grandchild = await portal.run<number>(ref(tasks, 'spawnGrandchild'))
        pids = [pid, grandchild]
        netns.partition()
        started.at = Date.now()
        await portal.run(ref(tasks, 'sleep'), [60_000])
      },
      { spawnMethod: 'ssh' },
    ).catch((e: unknown) => e)
    try {
      // The parent's side: ssh's keepalive gives up after ~6 s, the session ends, the actor has failed.
      expect(failure).toBeInstanceOf(ActorFailure)
      expect((failure as Error).message).toMatch(/actor 'across'/)
      // The remote side: within heartbeatTimeout, plus the orphan teardown (1 s), plus slack.
      expect(await waitFor(() => !pids.some(isAlive), Math.max(0, started.at + heartbeatTimeout + EOF_BOUND - Date.now()))).toBe(true)
    } finally {
      netns.heal()
    }
  })

  test('a wedged remote actor hears no heartbeat either: its watchdog thread kills it on its host', async () => {
    const heartbeatTimeout = 2000
    let pid = 0
    const started = { at: 0 }
    const failure = await withNursery(
      async (nursery) => {
        const ssh = { configFile: sshd.configFile, node: process.execPath, heartbeatTimeout }
        const portal = await nursery.startActor('wedged-across', { enableModules: [tasks], backend: { host: sshd.host, ssh } })
        pid = (await portal.run<{ pid: number }>(ref(tasks, 'whoami'))).pid
        portal.run(ref(tasks, 'spin'), [600_000]).catch(() => {})
        await new Promise((resolve) => setTimeout(resolve, 200))
        netns.partition()
        started.at = Date.now()
        await portal.run(ref(tasks, 'sleep'), [60_000])
      },
      { spawnMethod: 'ssh' },
    ).catch((e: unknown) => e)
    try {
      expect(failure).toBeInstanceOf(ActorFailure)
      expect(await waitFor(() => !isAlive(pid), Math.max(0, started.at + heartbeatTimeout + WEDGED_BOUND - Date.now()))).toBe(true)
    } finally {
      netns.heal()
      if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL')
    }
  })
})
