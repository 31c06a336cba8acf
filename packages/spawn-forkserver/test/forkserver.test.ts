import '@harrow/spawn-forkserver'
import '@harrow/spawn-process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { ActorFailure, RemoteActorError, ref, withNursery, type Portal } from '@harrow/core'
import { getTreeValue, loadSpawnBackend } from '@harrow/core/backend'
import { ForkserverError, configureForkserver, forkserverInfo, startForkserver, stopForkserver } from '@harrow/spawn-forkserver'
import { describe, expect, test } from 'vitest'
import { childrenOf, isAlive, parentOf, processText, waitFor } from './processes.js'
import { resetForkserverAfterEach, serverPid, tasks, waitForPool } from './support.js'

const spawnMethod = 'forkserver'
const enableModules = [tasks]
const task = (name: string): ReturnType<typeof ref> => ref(tasks, name)

interface Who {
  readonly pid: number
  readonly ppid: number
  readonly spawnMethod: string
}

resetForkserverAfterEach()

describe('one forkserver per tree', () => {
  test('starts lazily on the first spawn, as a child of the root, in a private directory', async () => {
    expect(forkserverInfo()).toBeUndefined()
    await withNursery(async (nursery) => nursery.startActor('first', { enableModules }), { spawnMethod })
    const info = forkserverInfo()
    expect(info).toMatchObject({ owned: true })
    expect(parentOf(info?.pid as number)).toBe(process.pid)
    const dir = dirname(info?.address as string)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(dirname(dir)).mode & 0o777).toBe(0o700)
    expect(statSync(info?.address as string).isSocket()).toBe(true)
  })

  test("descendants that spawn with 'forkserver' use the root's forkserver rather than starting their own", async () => {
    await withNursery(
      async (nursery) => {
        const child = await nursery.startActor('middle', { enableModules })
        const grandchild = await child.run<Who>(task('childInfo'))
        expect(grandchild.spawnMethod).toBe('forkserver')
        expect(grandchild.ppid).toBe(serverPid())
        expect(await child.run(task('forkserverHere'))).toMatchObject({ owned: false, pid: serverPid(), address: forkserverInfo()?.address })
        // No forkserver of its own: the middle actor has no children left once its grandchild is reaped.
        expect(childrenOf(child.actor.pid as number)).toEqual([])
      },
      { spawnMethod },
    )
  })

  test("an actor of another backend in the tree uses the root's forkserver too", async () => {
    await startForkserver()
    await withNursery(
      async (nursery) => {
        const processActor = await nursery.startActor('process-actor', { enableModules, spawnMethod: 'process' })
        const grandchild = await processActor.run<Who>(task('childInfo'), ['forkserver'])
        expect(grandchild.ppid).toBe(serverPid())
      },
      { spawnMethod },
    )
  })

  test('configureForkserver inside an actor is refused: the root configures its tree’s forkserver', async () => {
    await withNursery(
      async (nursery) => {
        const child = await nursery.startActor('meddler', { enableModules })
        const failure = await child.run(task('configureHere')).catch((e: unknown) => e)
        expect(failure).toBeInstanceOf(RemoteActorError)
        expect(failure).toMatchObject({ boxedType: 'ForkserverError' })
      },
      { spawnMethod },
    )
  })
})

describe('leak checks', () => {
  test('infrastructurePids() names the forkserver and its idle children, never an actor it handed out', async () => {
    const backend = await loadSpawnBackend('forkserver')
    const info = await startForkserver()
    const idle = await waitForPool(2)
    expect([...(backend.infrastructurePids?.() ?? [])].sort()).toEqual([info.pid as number, ...idle].sort())
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('not-infrastructure', { enableModules })
        expect(await waitFor(() => !backend.infrastructurePids?.().includes(portal.actor.pid as number), 5000)).toBe(true)
        expect(backend.infrastructurePids?.()).toContain(info.pid)
      },
      { spawnMethod },
    )
    await stopForkserver()
    expect(backend.infrastructurePids?.()).toEqual([])
  })
})

describe('stopping', () => {
  test('stopForkserver() ends the forkserver and its idle children and removes its directory; the next spawn starts a new one', async () => {
    const info = await startForkserver()
    const idle = await waitForPool(2)
    let actor: Portal | undefined
    await withNursery(
      async (nursery) => {
        actor = await nursery.startActor('short-lived', { enableModules })
        await actor.run(task('add'), [1, 1])
      },
      { spawnMethod },
    )
    await stopForkserver()
    for (const pid of [info.pid as number, ...idle, actor?.actor.pid as number]) expect(isAlive(pid)).toBe(false)
    expect(existsSync(dirname(info.address))).toBe(false)
    expect(forkserverInfo()).toBeUndefined()
    expect(getTreeValue('harrow.forkserver')).toBeUndefined()
    const next = await startForkserver()
    expect(next.pid).not.toBe(info.pid)
  })

  test('stopping with an actor still running ends that actor too, and its parent sees it go', async () => {
    await startForkserver()
    const failure = await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('caught-out', { enableModules })
        const call = portal.run(task('sleep'), [60_000])
        call.catch(() => {})
        await stopForkserver()
        await call
      },
      { spawnMethod },
    ).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(ActorFailure)
  })

  test('a forkserver killed with SIGKILL takes its actors with it; parents see ActorFailures, its root removes its directory, and the next spawn starts a new one', async () => {
    const info = await startForkserver()
    let victim: Portal | undefined
    const failure = await withNursery(
      async (nursery) => {
        victim = await nursery.startActor('victim', { enableModules })
        const call = victim.run(task('sleep'), [60_000])
        call.catch(() => {})
        process.kill(info.pid as number, 'SIGKILL')
        await call
      },
      { spawnMethod },
    ).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(ActorFailure)
    expect(failure).toMatchObject({ signal: 'SIGKILL', phase: 'running' })
    expect(isAlive(victim?.actor.pid as number)).toBe(false)
    const dir = dirname(info.address)
    // What is left in it, if anything, says who still wrote there.
    expect((await waitFor(() => !existsSync(dir), 2000)) || readdirSync(dir)).toBe(true)
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('after', { enableModules })
        expect(await portal.run(task('add'), [1, 2])).toBe(3)
      },
      { spawnMethod },
    )
    expect(forkserverInfo()?.pid).not.toBe(info.pid)
  })
})

describe('signals and exits', () => {
  test('Ctrl-C is not for the forkserver or its idle children: they ignore SIGINT', async () => {
    const info = await startForkserver()
    const idle = await waitForPool(2)
    for (const pid of [info.pid as number, ...idle]) process.kill(pid, 'SIGINT')
    await new Promise((resolve) => setTimeout(resolve, 300))
    for (const pid of [info.pid as number, ...idle]) expect(isAlive(pid)).toBe(true)
    await withNursery(async (nursery) => expect(await (await nursery.startActor('still', { enableModules })).run(task('add'), [1, 1])).toBe(2), { spawnMethod })
  })

  test('exit reports carry the exit code and the signal, as for a child process', async () => {
    const exited = await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('sevens', { enableModules })
        await portal.run(task('exitWith'), [7])
        await portal.run(task('sleep'), [60_000])
      },
      { spawnMethod },
    ).catch((e: unknown) => e)
    expect(exited).toMatchObject({ name: 'ActorFailure', exitCode: 7, signal: null })
    const killed = await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('killed', { enableModules })
        const call = portal.run(task('sleep'), [60_000])
        process.kill(portal.actor.pid as number, 'SIGKILL')
        await call
      },
      { spawnMethod },
    ).catch((e: unknown) => e)
    expect(killed).toMatchObject({ name: 'ActorFailure', exitCode: null, signal: 'SIGKILL' })
  })

  test("a handle's wait(), terminate() and kill() behave as for a child process, through the forkserver, and the child is reaped", async () => {
    const backend = await loadSpawnBackend('forkserver')
    const request = { name: 'raw', uid: 'raw', spawnMethod, execArgv: process.execArgv, env: process.env, cwd: undefined, options: {}, maxFrameSize: 1 << 20 }
    const polite = await backend.spawn(request)
    polite.transport.start({ frame: () => {}, close: () => {} })
    expect(parentOf(polite.proc.pid as number)).toBe(serverPid())
    polite.proc.terminate()
    // 143 once the actor runtime handles SIGTERM; killed by it when it lands earlier, as for a child process.
    expect([
      { code: 143, signal: null },
      { code: null, signal: 'SIGTERM' },
    ]).toContainEqual(await polite.proc.wait())
    const hard = await backend.spawn(request)
    hard.transport.start({ frame: () => {}, close: () => {} })
    hard.proc.kill()
    expect(await hard.proc.wait()).toEqual({ code: null, signal: 'SIGKILL' })
    // Signalling after the exit is a no-op, never a signal to whatever process got the pid next.
    hard.proc.kill()
    polite.proc.terminate()
    for (const child of [polite, hard]) {
      expect(isAlive(child.proc.pid as number)).toBe(false)
      expect(existsSync(`/proc/${child.proc.pid}`)).toBe(false)
      child.transport.close()
    }
  })
})

describe('secrets and options', () => {
  test("the tree's secret is on no command line and in no environment of the forkserver, its pool or its actors", async () => {
    await startForkserver()
    const idle = await waitForPool(2)
    const { secret } = getTreeValue<{ secret: string }>('harrow.forkserver') as { secret: string }
    expect(secret.length).toBeGreaterThanOrEqual(40)
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('discreet', { enableModules })
        for (const pid of [serverPid(), ...idle, portal.actor.pid as number]) {
          const text = processText(pid)
          expect(text.length).toBeGreaterThan(0)
          expect(text).not.toContain(secret)
        }
      },
      { spawnMethod },
    )
  })

  test('configureForkserver checks its options', () => {
    expect(() => configureForkserver({ poolSize: -1 })).toThrow(RangeError)
    expect(() => configureForkserver({ poolSize: 1.5 })).toThrow(RangeError)
    expect(() => configureForkserver({ poolSize: 65 })).toThrow(RangeError)
    expect(() => configureForkserver({ preload: ['./relative.mjs'] })).toThrow(TypeError)
    expect(() => configureForkserver({ execArgv: [1 as unknown as string] })).toThrow(TypeError)
    expect(new ForkserverError('x')).toMatchObject({ name: 'ForkserverError' })
  })
})
