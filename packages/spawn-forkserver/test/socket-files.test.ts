import '@harrow/spawn-forkserver'
import { lstatSync, readdirSync, watch } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { ref, withNursery } from '@harrow/core'
import { configureForkserver, forkserverInfo, startForkserver } from '@harrow/spawn-forkserver'
import { describe, expect, test } from 'vitest'
import { childrenOf, isAlive, parentOf, waitFor } from './processes.js'
import { resetForkserverAfterEach, serverPid, tasks } from './support.js'

const spawnMethod = 'forkserver'
const enableModules = [tasks]
const task = (name: string): ReturnType<typeof ref> => ref(tasks, name)

/** Rounds of the five phases below; each round kills about six warm children. */
const ROUNDS = 4

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const randomDelay = (max: number): Promise<void> => sleep(Math.floor(Math.random() * max))

/** Children this test killed: the pool's reports may still list them for a moment. */
const killed = new Set<number>()

/** SIGKILL `pid` if it is still a child of the forkserver (never whatever process got the pid next). */
function killChild(pid: number): void {
  if (parentOf(pid) !== serverPid()) return
  killed.add(pid)
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // gone meanwhile
  }
}

/** The socket files in the forkserver's directory, with the pid each is named after (`warm-<pid>.sock`, `<pid>-<hex>.sock`). */
function socketFiles(dir: string): { name: string; pid: number | undefined }[] {
  return readdirSync(dir)
    .filter((name) => {
      try {
        return lstatSync(join(dir, name)).isSocket()
      } catch {
        return false
      }
    })
    .map((name) => {
      const named = /^(?:warm-)?(\d+)[-.]/.exec(name)?.[1]
      return { name, pid: named === undefined ? undefined : Number(named) }
    })
}

/** Socket files named after a process that is gone. */
function orphanedSockets(dir: string): string[] {
  return socketFiles(dir)
    .filter((file) => file.pid !== undefined && !isAlive(file.pid))
    .map((file) => file.name)
}

/**
 * Kill the next warm child that makes its rehearsal socket, while that socket exists: the moment a child
 * killed by SIGKILL cannot clean up after itself. Resolves whether the kill landed while the file was there.
 */
function killNextRehearsal(dir: string, bound: number): Promise<boolean> {
  return new Promise((resolve) => {
    const watcher = watch(dir, (_event, name) => {
      const pid = /^warm-(\d+)\.sock$/.exec(name ?? '')?.[1]
      if (pid === undefined) return
      killChild(Number(pid))
      let present = false
      try {
        present = lstatSync(join(dir, name as string)).isSocket()
      } catch {
        // it had closed it already
      }
      done(present)
    })
    const timer = setTimeout(() => done(false), bound)
    const done = (landed: boolean): void => {
      clearTimeout(timer)
      watcher.close()
      resolve(landed)
    }
  })
}

/** How long the pool may take to settle, in ms: children killed while booting pause its refills for 10 s after three in a row, and the machine may be busy. */
const SETTLE_BOUND = 60_000

/** Wait until the pool reports two ready children that this test has not killed (a report from before a kill is stale). */
async function settledPool(): Promise<readonly number[]> {
  const ready = (): readonly number[] => forkserverInfo()?.pool.ready ?? []
  if (!(await waitFor(() => ready().length >= 2 && ready().every((pid) => isAlive(pid) && !killed.has(pid)), SETTLE_BOUND))) {
    throw new Error(`the pool did not settle within ${SETTLE_BOUND} ms: ${JSON.stringify(forkserverInfo()?.pool)}`)
  }
  return ready()
}

/** Attempts per round at killing a child inside its rehearsal, a window of milliseconds that a busy machine may make the test miss. */
const REHEARSAL_ATTEMPTS = 3

resetForkserverAfterEach()

describe("a warm child's socket files", () => {
  test(
    'are removed when the child is killed with SIGKILL at any moment: rehearsing, idle, being handed out, serving, tearing down',
    { timeout: 600_000 },
    async () => {
      configureForkserver({ poolSize: 2 })
      const info = await startForkserver()
      const dir = dirname(info.address)
      let rehearsalsHit = 0
      for (let round = 0; round < ROUNDS; round++) {
        // Rehearsing: an idle child killed at a random moment is replaced, and its replacement is killed mid-rehearsal.
        for (let attempt = 0; attempt < REHEARSAL_ATTEMPTS; attempt++) {
          const [idle] = await settledPool()
          const rehearsal = killNextRehearsal(dir, 10_000)
          await randomDelay(50)
          killChild(idle as number)
          if (await rehearsal) {
            rehearsalsHit++
            break
          }
        }

        // Idle in the pool.
        const ready = await settledPool()
        await randomDelay(50)
        killChild(ready[round % ready.length] as number)

        // Being handed out: every child of the forkserver (the pool, one of which is being handed out) is killed a moment after the spawn request left.
        await settledPool()
        await withNursery(
          async (nursery) => {
            const starting = nursery.startActor('handed-out', { enableModules }).then((portal) => portal.run(task('sleep'), [10_000]))
            // It fails (the kill lands during boot or during the call), maybe before it is awaited: what matters here is the files.
            starting.catch(() => {})
            await randomDelay(5)
            for (const pid of childrenOf(serverPid())) killChild(pid)
            await starting
          },
          { spawnMethod },
        ).catch(() => {})

        // Serving a call.
        await settledPool()
        await withNursery(
          async (nursery) => {
            const portal = await nursery.startActor('serving', { enableModules })
            const call = portal.run(task('sleep'), [10_000])
            call.catch(() => {})
            await randomDelay(50)
            killChild(portal.actor.pid as number)
            await call
          },
          { spawnMethod },
        ).catch(() => {})

        // Tearing down: killed while its nursery cancels it, the moment the body has returned.
        await settledPool()
        await withNursery(
          async (nursery) => {
            const portal = await nursery.startActor('tearing-down', { enableModules })
            portal.run(task('sleep'), [10_000]).catch(() => {})
            setTimeout(() => killChild(portal.actor.pid as number), Math.floor(Math.random() * 10))
          },
          { spawnMethod },
        ).catch(() => {})
      }
      // Without a kill inside a rehearsal this test could not fail: it must have hit that window at least once.
      expect(rehearsalsHit).toBeGreaterThan(0)
      // Once the pool has settled, the directory holds the forkserver's socket and this process's only.
      await settledPool()
      expect(await waitFor(() => orphanedSockets(dir).length === 0, 2000), `left behind: ${orphanedSockets(dir).join(', ')}`).toBe(true)
      expect(
        await waitFor(() => socketFiles(dir).length === 2, 2000),
        `sockets: ${socketFiles(dir)
          .map((file) => file.name)
          .join(', ')}`,
      ).toBe(true)
      const names = socketFiles(dir).map((file) => file.name)
      expect(names).toContain(basename(info.address))
      expect(names.filter((name) => name !== basename(info.address))).toEqual([expect.stringMatching(new RegExp(`^${process.pid}-[0-9a-f]+\\.sock$`))])
    },
  )
})
