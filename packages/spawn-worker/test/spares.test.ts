import '@harrow/spawn-worker'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { ActorFailure, ref, withNursery, type ActorOptions, type Portal } from '@harrow/core'
import { startWorkerSpares, stopWorkerSpares, workerSpares } from '@harrow/spawn-worker'
import { afterEach, describe, expect, test } from 'vitest'

const run = promisify(execFile)
const tasks = new URL('./fixtures/worker-tasks.mjs', import.meta.url)
const shared = new URL('../../testing/fixtures/tasks.mjs', import.meta.url)
const enableModules = [tasks, shared]
const spawnMethod = 'worker'

afterEach(async () => {
  await stopWorkerSpares()
})

/** Start one actor with `options`, hand its portal to `body`. */
function withActor<T>(options: ActorOptions, body: (portal: Portal) => Promise<T>): Promise<T> {
  return withNursery(async (nursery) => body(await nursery.startActor('on-spare', { enableModules, ...options })), { spawnMethod })
}

async function onlySpare(): Promise<number> {
  const spares = await workerSpares()
  expect(spares).toHaveLength(1)
  expect(spares[0]?.booted).toBe(true)
  return spares[0]?.threadId ?? -1
}

describe('spare threads', () => {
  test('a spawn with default options takes the spare, and a new spare replaces it', async () => {
    await startWorkerSpares(1)
    const spare = await onlySpare()
    await withActor({}, async (portal) => {
      expect(portal.actor.threadId).toBe(spare)
      expect(await portal.run(ref(tasks, 'add'), [2, 3])).toBe(5)
      expect(await portal.run(ref(tasks, 'whoAmI'))).toMatchObject({ uid: portal.actor.uid, name: 'on-spare', threadId: spare })
    })
    await startWorkerSpares(1)
    expect(await onlySpare()).not.toBe(spare)
  })

  test('an actor on a spare has the parent’s environment, and process.exit ends only it', async () => {
    await startWorkerSpares(1)
    const spare = await onlySpare()
    const failure = await withActor({}, async (portal) => {
      expect(portal.actor.threadId).toBe(spare)
      expect(await portal.run(ref(shared, 'environment'), ['PATH'])).toMatchObject({ value: process.env.PATH, cwd: process.cwd(), execArgv: process.execArgv })
      await portal.run(ref(tasks, 'exitWith'), [7])
    }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(ActorFailure)
    expect(failure).toMatchObject({ exitCode: 7, actor: { name: 'on-spare' } })
  })

  test('what an actor on a spare posts just before its thread ends still reaches the parent', async () => {
    for (let round = 0; round < 10; round++) {
      await startWorkerSpares(1)
      const spare = await onlySpare()
      let answer: unknown
      // Whether the nursery also reports the exit depends on whether it comes before the nursery closes: not checked.
      await withActor({}, async (portal) => {
        expect(portal.actor.threadId).toBe(spare)
        answer = await portal.run(ref(tasks, 'answerAndExit'), [9])
      }).catch(() => {})
      expect(answer).toBe('last words')
    }
  })

  test('a spawn with an environment of its own takes the spare, which has that environment before the actor’s modules load', async () => {
    // In a root of its own: vitest runs this file with --require, which makes spares serve only the exact environment (next test).
    const root = fileURLToPath(new URL('./fixtures/roots/spare-env.mjs', import.meta.url))
    const entry = new URL('../dist/index.js', import.meta.url).href
    const envAtImport = new URL('./fixtures/env-at-import.mjs', import.meta.url).href
    const { stdout } = await run(process.execPath, [root, entry, shared.href, envAtImport], { timeout: 20_000 })
    expect(JSON.parse(stdout)).toEqual({
      own: { onSpare: true, own: 'own', removed: null, atImport: 'own' },
      changed: { onSpare: true, value: 'changed in the parent' },
    })
  })

  test('with flags that run code at thread start (--require, --import), a spare serves only its own environment', async () => {
    expect(process.execArgv).toContain('--require')
    await startWorkerSpares(1)
    const spare = await onlySpare()
    await withActor({ env: { HARROW_SPARE_TEST: 'own' } }, async (portal) => {
      expect(portal.actor.threadId).not.toBe(spare)
      expect(await portal.run(ref(shared, 'environment'), ['HARROW_SPARE_TEST'])).toMatchObject({ value: 'own' })
    })
    await withActor({}, async (portal) => {
      expect(portal.actor.threadId).toBe(spare)
      expect(await portal.run(ref(tasks, 'add'), [1, 1])).toBe(2)
    })
  })

  test('a spawn with other flags, limits, frame limit or a variable read at start starts its own thread and leaves the spare', async () => {
    await startWorkerSpares(1)
    const spare = await onlySpare()
    const options: ActorOptions[] = [
      { env: { NODE_HARROW_SPARE_TEST: 'startup' } },
      { execArgv: [...process.execArgv, '--no-deprecation'] },
      { backend: { resourceLimits: { maxOldGenerationSizeMb: 64 } } },
      { maxFrameSize: 1024 * 1024 },
    ]
    for (const option of options) {
      await withActor(option, async (portal) => {
        expect(portal.actor.threadId, JSON.stringify(option)).not.toBe(spare)
        expect(await portal.run(ref(tasks, 'add'), [1, 1])).toBe(2)
      })
    }
    expect(await onlySpare()).toBe(spare)
  })

  test('when a variable read at start changes in the parent, spares started before are replaced, not used', async () => {
    await startWorkerSpares(1)
    const stale = await onlySpare()
    process.env.NODE_HARROW_SPARE_TEST = 'changed'
    try {
      await withActor({}, async (portal) => {
        expect(portal.actor.threadId).not.toBe(stale)
        expect(await portal.run(ref(shared, 'environment'), ['NODE_HARROW_SPARE_TEST'])).toMatchObject({ value: 'changed' })
      })
      await startWorkerSpares(1)
      const fresh = await onlySpare()
      expect(fresh).not.toBe(stale)
      await withActor({}, async (portal) => {
        expect(portal.actor.threadId).toBe(fresh)
        expect(await portal.run(ref(shared, 'environment'), ['NODE_HARROW_SPARE_TEST'])).toMatchObject({ value: 'changed' })
      })
    } finally {
      delete process.env.NODE_HARROW_SPARE_TEST
    }
  })

  test('stopWorkerSpares ends every spare; a count is a whole number, 0 or more', async () => {
    await startWorkerSpares(3)
    expect(await workerSpares()).toHaveLength(3)
    await startWorkerSpares(1)
    expect(await workerSpares()).toHaveLength(1)
    await stopWorkerSpares()
    expect(await workerSpares()).toEqual([])
    for (const bad of [-1, 1.5, Number.NaN]) await expect(startWorkerSpares(bad)).rejects.toThrow(RangeError)
  })

  test('a spare started after a spawn does not keep the process alive while it boots', async () => {
    const root = fileURLToPath(new URL('./fixtures/roots/ends-while-spare-boots.mjs', import.meta.url))
    const preload = new URL('./fixtures/roots/slow-spare-preload.mjs', import.meta.url).href
    const entry = new URL('../dist/index.js', import.meta.url).href
    const started = performance.now()
    const { stdout } = await run(process.execPath, ['--import', preload, root, entry, tasks.href], {
      timeout: 20_000,
      env: { ...process.env, HARROW_WORKER_SPARES: '1' },
    })
    expect(JSON.parse(stdout)).toEqual({ sum: 3 })
    // Bound against a hang only: the spare would hold the process for a minute.
    expect(performance.now() - started).toBeLessThan(20_000)
  })

  test('spares left running do not keep a process alive', async () => {
    const root = fileURLToPath(new URL('./fixtures/roots/leaves-spares.mjs', import.meta.url))
    const entry = new URL('../dist/index.js', import.meta.url).href
    const { stdout } = await run(process.execPath, [root, entry, tasks.href], { timeout: 20_000 })
    expect(JSON.parse(stdout)).toEqual({ sum: 3, spares: 2 })
  })
})
