import { execFile } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { ActorFailure, RemoteActorError, ref, withNursery, type Portal } from '@harrow/core'
import '@harrow/spawn-ssh'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { sshdUnavailable, startSshd, type TestSshd } from '@harrow/spawn-ssh/test-sshd'
import { MAX_SOCKET_PATH } from '@harrow/core/backend'
import { CONTROL_PATH_TAIL } from '../src/command.js'
import { waitFor } from './fixtures/processes.js'

const tasks = new URL('./fixtures/tasks.mjs', import.meta.url)
const unavailable = sshdUnavailable()

/** The watchdog links the actor holds, once it holds one (it is made beside the first calls, not before them) or after 5 s. */
async function linksOf(portal: Portal): Promise<string[]> {
  let links = await portal.run<string[]>(ref(tasks, 'watchdogLinks'))
  for (const deadline = Date.now() + 5000; links.length === 0 && Date.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    links = await portal.run<string[]>(ref(tasks, 'watchdogLinks'))
  }
  return links
}

describe.skipIf(unavailable !== undefined)(`launching actors over ssh${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let sshd: TestSshd
  beforeAll(async () => {
    sshd = await startSshd()
  })
  afterAll(async () => {
    await sshd?.stop()
  })
  const backend = () => ({ host: sshd.host, ssh: { configFile: sshd.configFile, node: process.execPath } })

  test('an actor started over ssh serves calls, streams and errors', async () => {
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('remote', { enableModules: [tasks], backend: backend(), env: { HARROW_SSH_TEST: 'sent' } })
        expect(await portal.run(ref(tasks, 'add'), [40, 2])).toBe(42)
        const who = await portal.run<{ pid: number; env: string | null }>(ref(tasks, 'whoami'))
        expect(who.env).toBe('sent')
        expect(who.pid).not.toBe(portal.actor.pid)
        // What the actor was sent travels on its stdin: `ps` on its host shows its name, never its environment.
        const cmdline = readFileSync(`/proc/${who.pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
        expect(cmdline.at(-1)).toBe('remote')
        expect(cmdline.join(' ')).not.toMatch(/HARROW_SSH_TEST|sent/)
        const items: number[] = []
        for await (const item of portal.stream<number>(ref(tasks, 'count'), [5])) items.push(item)
        expect(items).toEqual([0, 1, 2, 3, 4])
        expect(await portal.run(ref(tasks, 'shout'))).toBe('ok')
        const error = await portal.run(ref(tasks, 'boom')).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(RemoteActorError)
        expect(error).toMatchObject({ boxedType: 'TypeError' })
      },
      { spawnMethod: 'ssh' },
    )
  })

  test("errors name each hop's host: the remote actor and its own children say where they run", async () => {
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('remote', { enableModules: [tasks], backend: backend() })
        const who = await portal.run<{ actor: { host?: string } }>(ref(tasks, 'whoami'))
        expect(who.actor.host).toBe(sshd.host)
        expect(portal.actor.host).toBe(sshd.host)
        const direct = await portal.run(ref(tasks, 'boom')).catch((e: unknown) => e)
        expect((direct as Error).message).toBe(`TypeError: boom on the remote host (in actor remote@${sshd.host})`)
        const relayed = await portal.run(ref(tasks, 'grandchildBoom')).catch((e: unknown) => e)
        expect(relayed).toBeInstanceOf(RemoteActorError)
        expect((relayed as RemoteActorError).relayPath.map((hop) => hop.host)).toEqual([sshd.host, sshd.host])
        expect((relayed as Error).message).toMatch(new RegExp(`in actor grandchild@${sshd.host} → remote@${sshd.host}\\)$`))
      },
      { spawnMethod: 'ssh' },
    )
  })

  test('enabled modules under a mapped root are imported from the remote root (pathMap)', async () => {
    const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))
    const remoteRoot = mkdtempSync(join(tmpdir(), 'harrow-remote-root-'))
    try {
      // The "remote host's" copy of the application: the same modules, found at another path, with harrow beside them.
      cpSync(fixtures, join(remoteRoot, 'fixtures'), { recursive: true })
      mkdirSync(join(remoteRoot, 'node_modules', '@harrow'), { recursive: true })
      symlinkSync(fileURLToPath(new URL('../../core', import.meta.url)), join(remoteRoot, 'node_modules', '@harrow', 'core'))
      await withNursery(
        async (nursery) => {
          const ssh = { ...backend().ssh, pathMap: { [fixtures]: join(remoteRoot, 'fixtures') } }
          const portal = await nursery.startActor('mapped', { enableModules: [tasks], backend: { host: sshd.host, ssh } })
          expect(await portal.run(ref(tasks, 'whereAmI'))).toBe(pathToFileURL(join(remoteRoot, 'fixtures', 'tasks.mjs')).href)
          expect(await portal.run(ref(tasks, 'add'), [1, 2])).toBe(3)
        },
        { spawnMethod: 'ssh' },
      )
    } finally {
      rmSync(remoteRoot, { recursive: true, force: true })
    }
  })

  test('the launcher hook runs the child with a command of its own (a plain local sh -c here)', async () => {
    const seen: string[][] = []
    const launcher = (argv: string[]): string[] => {
      seen.push(argv)
      return ['sh', '-c', 'exec "$@"', 'launcher', ...argv]
    }
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('launched', { enableModules: [tasks], backend: { ssh: { launcher, node: process.execPath } } })
        expect(await portal.run(ref(tasks, 'add'), [2, 3])).toBe(5)
      },
      { spawnMethod: 'ssh' },
    )
    expect(seen).toHaveLength(1)
    expect(seen[0]?.[0]).toBe(process.execPath)
    expect(seen[0]?.some((arg) => arg.endsWith('/dist/child.js'))).toBe(true)
  })

  test('a wedged actor started by a launcher is killed through its channel, as over ssh', async () => {
    const launcher = (argv: string[]): string[] => ['sh', '-c', 'exec "$@"', 'launcher', ...argv]
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('wedged-launched', {
          enableModules: [tasks],
          backend: { ssh: { launcher, node: process.execPath } },
          terminateAfter: 300,
        })
        const who = await portal.run<{ pid: number }>(ref(tasks, 'whoami'))
        portal.run(ref(tasks, 'spin'), [60_000]).catch(() => {})
        await new Promise((resolve) => setTimeout(resolve, 100))
        await nursery.cancel()
        expect(isAlive(who.pid)).toBe(false)
      },
      { spawnMethod: 'ssh' },
    )
  })

  test('shareConnection: spawns after the first reuse one master connection, which is infrastructure until shutdown', async () => {
    const { loadSpawnBackend } = await import('@harrow/core/backend')
    const backend_ = await loadSpawnBackend('ssh')
    await withNursery(
      async (nursery) => {
        const ssh = { ...backend().ssh, shareConnection: true }
        const portals = await Promise.all(
          [1, 2, 3].map(async (i) => {
            // One after another at first, so that the first creates the master and the others find it.
            await new Promise((resolve) => setTimeout(resolve, i === 1 ? 0 : 1500 * (i - 1)))
            return nursery.startActor(`shared-${i}`, { enableModules: [tasks], backend: { host: sshd.host, ssh } })
          }),
        )
        for (const portal of portals) expect(await portal.run(ref(tasks, 'add'), [1, 1])).toBe(2)
        expect(backend_.infrastructurePids?.()).toHaveLength(1)
        // Each actor's watchdog is linked over the shared connection too.
        for (const portal of portals) expect(await linksOf(portal)).toHaveLength(1)
      },
      { spawnMethod: 'ssh' },
    )
    const [master] = backend_.infrastructurePids?.() ?? []
    expect(master).toBeDefined()
    await backend_.shutdown?.()
    expect(backend_.infrastructurePids?.()).toEqual([])
    expect(await waitFor(() => !isAlive(master as number), 3000)).toBe(true)
  })

  test('a TMPDIR too deep for socket paths (as macOS can have) still shares connections and links watchdogs, under /tmp', async () => {
    const deep = mkdtempSync(join(tmpdir(), `${'deep-'.repeat(16)}`))
    try {
      expect(deep.length + CONTROL_PATH_TAIL).toBeGreaterThan(MAX_SOCKET_PATH)
      const fixture = fileURLToPath(new URL('./fixtures/deep-tmpdir.mjs', import.meta.url))
      const child = await promisify(execFile)(process.execPath, [fixture, sshd.host, sshd.configFile], {
        env: { ...process.env, TMPDIR: deep },
        // Within the test's own timeout, so that a hung fixture is gone before the test ends.
        timeout: 25_000,
        killSignal: 'SIGKILL',
      })
      const actors = JSON.parse(child.stdout) as { name: string; sum: number; links: string[] }[]
      expect(actors.map((a) => a.sum)).toEqual([42, 42])
      for (const { links } of actors) {
        expect(links).toHaveLength(1)
        expect(links[0]).toMatch(/^\/tmp\/hssh-w-/)
      }
    } finally {
      rmSync(deep, { recursive: true, force: true })
    }
  })

  test("the actor's watchdog is linked over a socket ssh forwards, and the socket's file is gone once linked", async () => {
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('linked', { enableModules: [tasks], backend: backend() })
        const links = await linksOf(portal)
        expect(links).toHaveLength(1)
        expect(existsSync(links[0] as string)).toBe(false)
      },
      { spawnMethod: 'ssh' },
    )
  })

  test('a wedged remote actor is killed on its host by the terminateAfter ladder', async () => {
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('wedged', { enableModules: [tasks], backend: backend(), terminateAfter: 300 })
        const who = await portal.run<{ pid: number }>(ref(tasks, 'whoami'))
        portal.run(ref(tasks, 'spin'), [60_000]).catch(() => {})
        await new Promise((resolve) => setTimeout(resolve, 100))
        const started = Date.now()
        await nursery.cancel()
        expect(Date.now() - started).toBeLessThan(10_000)
        expect(isAlive(who.pid)).toBe(false)
      },
      { spawnMethod: 'ssh' },
    )
  })

  test("host down is an ActorFailure carrying ssh's reason", async () => {
    const failure = await withNursery(
      (nursery) => nursery.startActor('nowhere', { backend: { host: '127.0.0.1', ssh: { port: 1, configFile: sshd.configFile } } }),
      {
        spawnMethod: 'ssh',
      },
    ).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(ActorFailure)
    expect((failure as Error).message).toMatch(/ssh: .*Connection refused/)
  })
})

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
