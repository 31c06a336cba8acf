import '@harrow/spawn-forkserver'
import { tmpdir } from 'node:os'
import { ActorFailure, ref, withNursery, type Portal } from '@harrow/core'
import { configureForkserver, forkserverInfo, startForkserver } from '@harrow/spawn-forkserver'
import { describe, expect, test } from 'vitest'
import { isAlive, parentOf, waitFor } from './processes.js'
import { resetForkserverAfterEach, serverPid, tasks, waitForPool } from './support.js'

const spawnMethod = 'forkserver'
const enableModules = [tasks]
const task = (name: string): ReturnType<typeof ref> => ref(tasks, name)

interface Who {
  readonly pid: number
  readonly ppid: number
  readonly execArgv: string[]
  readonly cwd: string
}

resetForkserverAfterEach()

describe('the warm pool', () => {
  test('hands out a ready warm child, then boots a replacement in the background', async () => {
    configureForkserver({ poolSize: 2 })
    await startForkserver()
    const warm = await waitForPool(2)
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('warm', { enableModules })
        const pid = portal.actor.pid as number
        expect(warm).toContain(pid)
        expect(parentOf(pid)).toBe(serverPid())
        expect(await portal.run(task('add'), [1, 2])).toBe(3)
        // Refilled: two idle children again, and the one handed out is not among them.
        expect(await waitFor(() => forkserverInfo()?.pool.ready.length === 2 && !forkserverInfo()?.pool.ready.includes(pid), 20_000)).toBe(true)
      },
      { spawnMethod },
    )
  })

  test('the first spawn, while the pool is still booting, gets a booting child and works', async () => {
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('early', { enableModules })
        expect(parentOf(portal.actor.pid as number)).toBe(serverPid())
        expect(await portal.run(task('add'), [2, 2])).toBe(4)
      },
      { spawnMethod },
    )
  })

  test('a burst of 20 concurrent spawns with poolSize 4 all succeed, each in a process of its own', async () => {
    configureForkserver({ poolSize: 4 })
    await startForkserver()
    await waitForPool(4)
    await withNursery(
      async (nursery) => {
        const portals = await Promise.all(Array.from({ length: 20 }, (_, i) => nursery.startActor(`burst-${i}`, { enableModules })))
        const pids = portals.map((p) => p.actor.pid as number)
        expect(new Set(pids).size).toBe(20)
        for (const pid of pids) expect(parentOf(pid)).toBe(serverPid())
        expect(await Promise.all(portals.map((p, i) => p.run(task('add'), [i, 1])))).toEqual(portals.map((_, i) => i + 1))
      },
      { spawnMethod },
    )
  })

  test('an actor with other Node flags gets a child booted for it, and the pool is left alone', async () => {
    configureForkserver({ poolSize: 2 })
    await startForkserver()
    const warm = await waitForPool(2)
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('flagged', { enableModules, execArgv: ['--no-warnings'] })
        const who = await portal.run<Who>(task('whoAmI'))
        expect(who.execArgv).toEqual(['--no-warnings'])
        expect(warm).not.toContain(who.pid)
        expect(who.ppid).toBe(serverPid())
        expect(forkserverInfo()?.pool.ready).toEqual(warm)
      },
      { spawnMethod },
    )
  })

  test('a child whose runtime never reaches its first line (as Node 22 hangs without threads) is killed, and its spawn fails saying why', async () => {
    // Blocks before the child's entry runs, without using a core: what a runtime stuck in its start-up looks like.
    const stuck = ['--import', 'data:text/javascript,Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)']
    await withNursery(
      async (nursery) => {
        const failure = await nursery.startActor('stuck', { enableModules, execArgv: stuck }).catch((e: unknown) => e)
        expect(failure).toBeInstanceOf(ActorFailure)
        expect(failure).toMatchObject({
          phase: 'boot',
          signal: 'SIGKILL',
          message: expect.stringContaining('its runtime did not start within 10 s') as unknown,
        })
        expect((failure as Error).message).toContain('ulimit -u')
        // The pool's own children are not affected.
        expect(await (await nursery.startActor('fine', { enableModules })).run(task('add'), [1, 2])).toBe(3)
      },
      { spawnMethod },
    )
  }, 30_000)

  test('an actor that sets a startup variable (NODE_OPTIONS) gets a child booted with it', async () => {
    configureForkserver({ poolSize: 2 })
    await startForkserver()
    const warm = await waitForPool(2)
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('node-options', { enableModules, env: { NODE_OPTIONS: '--no-deprecation' } })
        expect(warm).not.toContain(portal.actor.pid)
        expect(await portal.run(task('bootFacts'))).toMatchObject({ noDeprecation: true })
        expect(await portal.run(task('env'), ['NODE_OPTIONS'])).toBe('--no-deprecation')
      },
      { spawnMethod },
    )
  })

  test('other environment variables are set on a warm child before the actor runs, and removed ones are gone', async () => {
    configureForkserver({ poolSize: 2 })
    await startForkserver()
    const warm = await waitForPool(2)
    process.env.HARROW_FS_INHERITED = 'from the parent'
    try {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('env', { enableModules, env: { HARROW_FS_ADDED: 'for the actor', HOME: undefined } })
          expect(warm).toContain(portal.actor.pid)
          expect(await portal.run(task('env'), ['HARROW_FS_ADDED'])).toBe('for the actor')
          expect(await portal.run(task('env'), ['HARROW_FS_INHERITED'])).toBe('from the parent')
          expect(await portal.run(task('env'), ['HOME'])).toBeUndefined()
        },
        { spawnMethod },
      )
    } finally {
      delete process.env.HARROW_FS_INHERITED
    }
  })

  test("a warm child runs in the actor's cwd (the requesting parent's by default); a missing cwd is an ActorFailure naming ENOENT", async () => {
    await withNursery(
      async (nursery) => {
        const here = await nursery.startActor('here', { enableModules })
        expect((await here.run<Who>(task('whoAmI'))).cwd).toBe(process.cwd())
        const there = await nursery.startActor('there', { enableModules, cwd: tmpdir() })
        expect((await there.run<Who>(task('whoAmI'))).cwd).toBe(tmpdir())
        const failure = await nursery.startActor('nowhere', { enableModules, cwd: '/no/such/directory' }).catch((e: unknown) => e)
        expect(failure).toBeInstanceOf(ActorFailure)
        expect(failure).toMatchObject({ phase: 'boot', message: expect.stringContaining('ENOENT') as unknown })
      },
      { spawnMethod },
    )
  })

  test('a warm child shows nothing of how it was prepared: no gc global, no IPC channel, its own flags', async () => {
    await startForkserver()
    const warm = await waitForPool(2)
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('pristine', { enableModules })
        expect(warm).toContain(portal.actor.pid)
        expect(await portal.run(task('pristine'))).toEqual({ gc: 'undefined', workerGc: 'undefined', send: 'undefined', execArgv: process.execArgv })
      },
      { spawnMethod },
    )
  })

  test('preload modules are imported by warm children while they boot', async () => {
    configureForkserver({ poolSize: 1, preload: [new URL('./fixtures/preloaded.mjs', import.meta.url)] })
    await startForkserver()
    const warm = await waitForPool(1)
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('preloaded', { enableModules })
        expect(warm).toContain(portal.actor.pid)
        expect(await portal.run(task('bootFacts'))).toMatchObject({ preloaded: true })
      },
      { spawnMethod },
    )
  })

  test('configuring a running forkserver resizes its pool; with poolSize 0 every actor is booted on demand', async () => {
    configureForkserver({ poolSize: 1 })
    await startForkserver()
    const [first] = await waitForPool(1)
    configureForkserver({ poolSize: 3 })
    await waitForPool(3)
    // A new configuration replaces idle children booted with the old one.
    expect(isAlive(first as number)).toBe(false)
    const idle = forkserverInfo()?.pool.ready ?? []
    configureForkserver({ poolSize: 0 })
    expect(await waitFor(() => idle.every((pid) => !isAlive(pid)) && forkserverInfo()?.pool.ready.length === 0, 10_000)).toBe(true)
    let portal: Portal | undefined
    await withNursery(
      async (nursery) => {
        portal = await nursery.startActor('on-demand', { enableModules })
        expect(await portal.run(task('add'), [20, 22])).toBe(42)
      },
      { spawnMethod },
    )
    expect(forkserverInfo()?.pool).toEqual({ ready: [], booting: [] })
    expect(isAlive(portal?.actor.pid as number)).toBe(false)
  })
})
