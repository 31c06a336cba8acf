/** Conformance: actor pools (dispatch, queue bound, cancellation, supervision, resize, close) on every backend. */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ActorCancelledError,
  ActorFailure,
  ActorPoolError,
  HarrowError,
  PoolQueueFullError,
  openNursery,
  withNursery,
  withPool,
  type ActorPool,
} from '@harrow/core'
import { describe, expect, test } from 'vitest'
import { fixtureModules, task } from '../fixture-modules.js'
import { isAlive, waitFor } from '../processes.js'
import type { SuiteContext } from './context.js'

/** A fresh ledger file (see the `ledgerCall` fixture: one line `<id> <member>` per call as it starts) and ways to read it. */
function ledger(): { path: string; runs: () => Map<string, number>; lastMember: () => string | undefined; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'harrow-ledger-'))
  const path = join(dir, 'ledger')
  const lines = (): string[][] => {
    try {
      return readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' '))
    } catch {
      return [] // no call ran yet
    }
  }
  return {
    path,
    /** How often each id ran. */
    runs: () => {
      const counts = new Map<string, number>()
      for (const [id = ''] of lines()) counts.set(id, (counts.get(id) ?? 0) + 1)
      return counts
    },
    /** The member that started the latest call. */
    lastMember: () => lines().at(-1)?.[1],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export function poolTests({ key, capabilities }: SuiteContext): void {
  const enableModules = [fixtureModules.tasks]

  /** The OS processes behind a pool's members; empty for a backend without processes. */
  const pidsOf = (pool: ActorPool): number[] => (capabilities.processes ? pool.members.flatMap((p) => (p.actor.pid === undefined ? [] : [p.actor.pid])) : [])

  describe('pools', () => {
    test('members named <name>-<i> boot in parallel; each call gets its own result; calls go to the least busy member', async () => {
      await withNursery(
        async (nursery) => {
          const pool = await nursery.startPool('crunch', { size: 3, enableModules, ready: 'all' })
          expect(pool.size).toBe(3)
          expect(pool.members.map((m) => m.actor.name).sort()).toEqual(['crunch-0', 'crunch-1', 'crunch-2'])
          expect(nursery.children).toHaveLength(3)
          const values = Array.from({ length: 60 }, (_, i) => ({ i, tag: `call-${i}` }))
          expect(await Promise.all(values.map((v) => pool.run(task('echo'), [v])))).toEqual(values)
          // Three slow calls at once land on three different members (concurrency 1 each).
          const names = await Promise.all([0, 1, 2].map(() => pool.run<string>(task('sleepThenWho'), [200])))
          expect(new Set(names).size).toBe(3)
          expect(pool.stats()).toMatchObject({ inFlight: 0, queued: 0, completed: 63, failed: 0, restarts: 0, size: 3 })
          const items: number[] = []
          for await (const item of pool.stream<number>(task('count'), [5])) items.push(item)
          expect(items).toEqual([0, 1, 2, 3, 4])
          const bound = pool.bind<{ add(a: number, b: number): number }>(fixtureModules.tasks)
          expect(await bound.add(40, 2)).toBe(42)
        },
        { spawnMethod: key },
      )
    })

    test('startPool resolves once a member serves; the first call runs at once and the other members join as they boot', async () => {
      await withNursery(
        async (nursery) => {
          const pool = await nursery.startPool('eager', { size: 2, enableModules })
          expect(pool.members.length).toBeGreaterThanOrEqual(1)
          expect(await pool.run(task('add'), [1, 2])).toBe(3)
          expect(await waitFor(() => pool.members.length === 2, 30_000)).toBe(true)
          const names = await Promise.all([0, 1].map(() => pool.run<string>(task('sleepThenWho'), [200])))
          expect(new Set(names).size).toBe(2)
        },
        { spawnMethod: key },
      )
    })

    test('with concurrency 2, a member takes two calls at once', async () => {
      await withNursery(
        async (nursery) => {
          const pool = await nursery.startPool('pairs', { size: 1, concurrency: 2, enableModules })
          const calls = [pool.run(task('sleep'), [300]), pool.run(task('sleep'), [300]), pool.run(task('sleep'), [300])]
          await tick(50)
          expect(pool.stats()).toMatchObject({ inFlight: 2, queued: 1 })
          expect(await Promise.all(calls)).toEqual(['slept', 'slept', 'slept'])
        },
        { spawnMethod: key },
      )
    })

    test('a member that dies mid-call fails only its call with ActorFailure; no call is lost or run twice; it is replaced', async () => {
      const book = ledger()
      try {
        await withNursery(
          async (nursery) => {
            const pool = await nursery.startPool('sturdy', { size: 3, enableModules, restart: { maxRestarts: 3, backoff: 10 } })
            const ids = Array.from({ length: 12 }, (_, i) => `call-${i}`)
            const calls = ids.map((id) => pool.run<string>(task('ledgerCall'), [book.path, id, 300]))
            // What the victim call failed with, as a value: it may fail before the other calls are done.
            let victim: Promise<unknown>
            if (capabilities.processes) {
              // Kill the member whose call started last: it is mid-call (300 ms), however slow the boots were.
              expect(await waitFor(() => book.lastMember() !== undefined, 10_000)).toBe(true)
              const pid = pool.members.find((member) => member.actor.name === book.lastMember())?.actor.pid as number
              process.kill(pid, 'SIGKILL')
              victim = Promise.resolve(undefined)
            } else {
              // A thread cannot be SIGKILLed alone: the member ends itself while this call runs.
              victim = pool.run(task('dieAfter'), [100]).then(
                () => undefined,
                (e: unknown) => e,
              )
            }
            const outcomes = await Promise.allSettled(calls)
            const failedCalls = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [{ id: ids[i] as string, error: o.reason as unknown }] : []))
            const victimError = await victim
            const failures = capabilities.processes ? failedCalls.map((f) => f.error) : [victimError]
            // Exactly the dead member's running call failed, with its ActorFailure; every other call returned its own id.
            expect(failures).toHaveLength(1)
            expect(failures[0]).toBeInstanceOf(ActorFailure)
            expect(failures[0]).toMatchObject({ phase: 'running' })
            if (!capabilities.processes) expect(failedCalls).toEqual([])
            outcomes.forEach((o, i) => {
              if (o.status === 'fulfilled') expect(o.value).toBe(ids[i])
            })
            // Each call ran exactly once: none lost, none retried.
            const runs = book.runs()
            for (const id of ids) expect(runs.get(id)).toBe(1)
            expect(await waitFor(() => pool.stats().restarts === 1 && pool.members.length === 3, 5000)).toBe(true)
            expect(await pool.run(task('add'), [1, 2])).toBe(3)
          },
          { spawnMethod: key },
        )
      } finally {
        book.remove()
      }
    })

    test('past its restart limit the pool fails its nursery with ActorPoolError, the last ActorFailure as its cause', async () => {
      const failure = await withNursery(
        async (nursery) => {
          const pool = await nursery.startPool('fragile', { size: 1, enableModules, restart: { maxRestarts: 1, backoff: 10 } })
          await pool.run(task('dieAfter'), [0]).catch(() => undefined)
          await pool.run(task('dieAfter'), [0]).catch(() => undefined)
          // The nursery is being cancelled now: this wait ends with it.
          await pool.run(task('sleep'), [60_000])
        },
        { spawnMethod: key },
      ).catch((e: unknown) => e)
      expect(failure).toBeInstanceOf(ActorPoolError)
      expect(failure).toMatchObject({ pool: 'fragile', restarts: 2 })
      expect((failure as ActorPoolError).cause).toBeInstanceOf(ActorFailure)
    })

    test('a full queue rejects with PoolQueueFullError, or holds the call with whenFull: wait', async () => {
      await withNursery(
        async (nursery) => {
          const strict = await nursery.startPool('strict', { size: 1, maxQueue: 2, enableModules })
          const accepted = [0, 1, 2].map(() => strict.run(task('sleep'), [200]))
          const refused = await strict.run(task('add'), [1, 1]).catch((e: unknown) => e)
          expect(refused).toBeInstanceOf(PoolQueueFullError)
          expect(refused).toMatchObject({ pool: 'strict', maxQueue: 2 })
          expect(strict.stats()).toMatchObject({ inFlight: 1, queued: 2 })
          expect(await Promise.all(accepted)).toEqual(['slept', 'slept', 'slept'])

          const patient = await nursery.startPool('patient', { size: 1, maxQueue: 1, whenFull: 'wait', enableModules })
          const held = [patient.run(task('sleep'), [200]), patient.run(task('echo'), ['queued']), patient.run(task('echo'), ['held'])]
          expect(patient.stats()).toMatchObject({ inFlight: 1, queued: 1, waiting: 1 })
          expect(await Promise.all(held)).toEqual(['slept', 'queued', 'held'])
        },
        { spawnMethod: key },
      )
    })

    test('a queued call cancelled by its signal never reaches a member; a running one is cancelled in the member', async () => {
      const book = ledger()
      try {
        await withNursery(
          async (nursery) => {
            const pool = await nursery.startPool('cancels', { size: 1, enableModules })
            const running = new AbortController()
            const queued = new AbortController()
            const first = pool.run(task('sleep'), [60_000], { signal: running.signal })
            const second = pool.run(task('ledgerCall'), [book.path, 'never', 0], { signal: queued.signal })
            const stream = pool.stream(task('count'), [3], { signal: queued.signal })
            const streamed = stream.next()
            await tick(100)
            expect(pool.stats()).toMatchObject({ inFlight: 1, queued: 2 })
            queued.abort()
            await expect(second).rejects.toBeInstanceOf(ActorCancelledError)
            await expect(streamed).rejects.toBeInstanceOf(ActorCancelledError)
            expect(pool.stats()).toMatchObject({ inFlight: 1, queued: 0 })
            running.abort()
            await expect(first).rejects.toBeInstanceOf(ActorCancelledError)
            // The remote task sees its cancellation (the caller is told at once, the member a moment later); the member serves on.
            let seen = 0
            for (let i = 0; i < 100 && seen === 0; i++) {
              seen = await pool.run<number>(task('counter'), ['cancelled'])
              if (seen === 0) await tick(20)
            }
            expect(seen).toBe(1)
            expect(book.runs().size).toBe(0)
          },
          { spawnMethod: key },
        )
      } finally {
        book.remove()
      }
    })

    test('resize under load: every call runs exactly once while members are added and removed', async () => {
      const book = ledger()
      try {
        await withNursery(
          async (nursery) => {
            const pool = await nursery.startPool('elastic', { size: 2, enableModules })
            const ids = Array.from({ length: 40 }, (_, i) => `job-${i}`)
            const calls = ids.map((id) => pool.run<string>(task('ledgerCall'), [book.path, id, 30]))
            await pool.resize(4)
            expect(pool.size).toBe(4)
            expect(pool.members.map((m) => m.actor.name).sort()).toEqual(['elastic-0', 'elastic-1', 'elastic-2', 'elastic-3'])
            await pool.resize(1)
            expect(pool.size).toBe(1)
            expect(nursery.children.map((c) => c.name)).toEqual(['elastic-0'])
            expect(await Promise.all(calls)).toEqual(ids)
            const runs = book.runs()
            for (const id of ids) expect(runs.get(id)).toBe(1)
            expect(pool.stats()).toMatchObject({ completed: 40, failed: 0, inFlight: 0, queued: 0 })
          },
          { spawnMethod: key },
        )
      } finally {
        book.remove()
      }
    })

    test('close() drains queued calls, close({ drain: false }) cancels them; either way no member is left', async () => {
      const nursery = await openNursery({ spawnMethod: key })
      try {
        const drained = await nursery.startPool('drained', { size: 2, enableModules, ready: 'all' })
        const pids = pidsOf(drained)
        const work = Array.from({ length: 6 }, (_, i) => drained.run(task('sleepThenWho'), [50 + i]))
        await drained.close()
        expect((await Promise.all(work)).length).toBe(6)
        await expect(drained.run(task('add'), [1, 1])).rejects.toBeInstanceOf(HarrowError)
        expect(drained.members).toEqual([])

        const dropped = await nursery.startPool('dropped', { size: 2, enableModules, ready: 'all' })
        pids.push(...pidsOf(dropped))
        const outcomes = Promise.allSettled(Array.from({ length: 6 }, () => dropped.run(task('sleep'), [60_000])))
        await tick(100)
        await dropped.close({ drain: false })
        for (const outcome of await outcomes) {
          expect(outcome.status).toBe('rejected')
          expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(ActorCancelledError)
        }
        expect(nursery.children).toEqual([])
        expect(await waitFor(() => pids.every((pid) => !isAlive(pid)), 2000)).toBe(true)
      } finally {
        await nursery.close()
      }
    })

    test('withPool runs a body with a pool and closes it after', async () => {
      const sum = await withPool(async (pool) => (await Promise.all([1, 2, 3].map((n) => pool.run<number>(task('add'), [n, n])))).reduce((a, b) => a + b), {
        spawnMethod: key,
        size: 2,
        enableModules,
      })
      expect(sum).toBe(12)
    })
  })
}
