import '@harrow/spawn-worker'
import { execFile } from 'node:child_process'
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { ActorFailure, RemoteActorError, isHarrowError, openNursery, ref, withNursery } from '@harrow/core'
import { WorkerOptionError, WorkerOutOfMemoryError } from '@harrow/spawn-worker'
import { describe, expect, test } from 'vitest'

const run = promisify(execFile)
const tasks = new URL('./fixtures/worker-tasks.mjs', import.meta.url)
const task = (name: string): ReturnType<typeof ref> => ref(tasks, name)
const enableModules = [tasks]
const spawnMethod = 'worker'

describe('worker actors', () => {
  test('are threads of this process: a thread id, no pid of their own', async () => {
    await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('thread', { enableModules })
        expect(portal.actor.pid).toBeUndefined()
        expect(portal.actor.threadId).toBeGreaterThan(0)
        expect(await portal.run(task('whoAmI'))).toMatchObject({ uid: portal.actor.uid, threadId: portal.actor.threadId, pid: process.pid })
      },
      { spawnMethod },
    )
  })

  test('process.exit(7) in an actor ends that actor only: an ActorFailure with exit code 7, and this process carries on', async () => {
    const failure = await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('exiting', { enableModules })
        await portal.run(task('exitWith'), [7])
      },
      { spawnMethod },
    ).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(ActorFailure)
    expect(failure).toMatchObject({ exitCode: 7, signal: null, phase: 'running', actor: { name: 'exiting' } })
    // Still here, and still able to run actors.
    expect(await withNursery(async (nursery) => (await nursery.runInActor<number>(task('add'), [1, 2])).result(), { spawnMethod })).toBe(3)
  })

  test('an uncaught exception in an actor is a RemoteActorError recorded by the nursery, not a crash of the parent', async () => {
    const failure = await withNursery(
      async (nursery) => {
        const portal = await nursery.startActor('careless', { enableModules })
        expect(await portal.run(task('throwLater'), ['nobody caught this'])).toBe('scheduled')
        // Pending when the actor dies: it fails with the actor's own error, which the nursery counts once.
        await portal.run(task('sleep'), [60_000])
      },
      { spawnMethod },
    ).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(RemoteActorError)
    expect(failure).toMatchObject({ boxedType: 'RangeError', remoteMessage: 'nobody caught this', actor: { name: 'careless' } })
  })

  test('an actor that outgrows its heap limit is an ActorFailure saying it ran out of memory, while a sibling keeps serving', async () => {
    await using siblings = await openNursery({ spawnMethod })
    const sibling = await siblings.startActor('sibling', { enableModules })
    const failure = await withNursery(
      async (nursery) => {
        const hog = await nursery.startActor('hog', { enableModules, backend: { resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } } })
        await Promise.all([hog.run(task('hog')), sibling.run(task('add'), [2, 2])])
      },
      { spawnMethod },
    ).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(ActorFailure)
    expect(failure).toMatchObject({ exitCode: 1, phase: 'running', actor: { name: 'hog' } })
    expect((failure as Error).message).toMatch(/out of memory/)
    expect((failure as Error).message).toMatch(/maxOldGenerationSizeMb: 16/)
    expect((failure as Error).cause).toBeInstanceOf(WorkerOutOfMemoryError)
    expect(await sibling.run(task('add'), [40, 2])).toBe(42)
  })

  test('a cwd of its own is refused with a WorkerOptionError, and nothing is started', async () => {
    await withNursery(
      async (nursery) => {
        const refused = await nursery.startActor('elsewhere', { enableModules, cwd: tmpdir() }).catch((e: unknown) => e)
        expect(refused).toBeInstanceOf(WorkerOptionError)
        expect(isHarrowError(refused)).toBe(true)
        expect(refused).toMatchObject({ name: 'WorkerOptionError', option: 'cwd' })
        expect((refused as Error).message).toMatch(/shares its process's working directory.*spawnMethod: 'process'/)
        expect(nursery.children).toEqual([])
        // The process's own directory is what a thread has anyway: that is not refused.
        const here = await nursery.startActor('here', { enableModules, cwd: process.cwd() })
        expect(await here.run(task('add'), [1, 1])).toBe(2)
      },
      { spawnMethod },
    )
  })

  test('a process-wide Node flag asked for one actor is refused, naming the flag and why', async () => {
    await withNursery(
      async (nursery) => {
        const refused = await nursery.startActor('gc', { enableModules, execArgv: [...process.execArgv, '--expose-gc'] }).catch((e: unknown) => e)
        expect(refused).toBeInstanceOf(WorkerOptionError)
        expect(refused).toMatchObject({ option: 'execArgv', flags: ['--expose-gc'] })
        expect((refused as Error).message).toMatch(/--expose-gc.*ERR_WORKER_INVALID_EXEC_ARGV.*whole process/)
      },
      { spawnMethod },
    )
  })

  test('a process-wide flag the root runs with is left out of the thread’s execArgv and is in effect there anyway', async () => {
    const root = fileURLToPath(new URL('./fixtures/roots/inherits-process-wide-flag.mjs', import.meta.url))
    const entry = new URL('../dist/index.js', import.meta.url).href
    const { stdout } = await run(process.execPath, ['--expose-gc', '--no-warnings', root, entry])
    expect(JSON.parse(stdout)).toEqual({ root: ['--expose-gc', '--no-warnings'], actor: { gc: 'function', execArgv: ['--no-warnings'] } })
  })

  test('env sets the thread’s environment, and undefined removes an inherited variable', async () => {
    process.env.HARROW_WORKER_TEST_REMOVED = 'inherited'
    try {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('env', {
            enableModules: [new URL('../../testing/fixtures/tasks.mjs', import.meta.url)],
            env: { HARROW_WORKER_TEST: 'set', HARROW_WORKER_TEST_REMOVED: undefined },
          })
          const environment = ref(new URL('../../testing/fixtures/tasks.mjs', import.meta.url), 'environment')
          expect(await portal.run(environment, ['HARROW_WORKER_TEST'])).toMatchObject({ value: 'set' })
          expect(await portal.run(environment, ['HARROW_WORKER_TEST_REMOVED'])).toMatchObject({ value: undefined })
        },
        { spawnMethod },
      )
    } finally {
      delete process.env.HARROW_WORKER_TEST_REMOVED
    }
  })
})
