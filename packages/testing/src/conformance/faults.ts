/** Conformance: the allow-list as a boundary, signals to the root, and actors dying mid-work. */

import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { ActorFailure, ModuleNotEnabledError, RemoteActorError, withNursery, type FnRef } from '@harrow/core'
import { describe, expect, test } from 'vitest'
import { fixtureModules, rootProgramArgs, rootPrograms, task } from '../fixture-modules.js'
import { isAlive, processGroup, waitFor } from '../processes.js'
import type { SuiteContext } from './context.js'
import { readableCopy, unreachableByOthers } from './readable-copy.js'
import { killGroup, readReport } from './root-programs.js'

const run = promisify(execFile)

/** Settles `promises` bookkeeping: at the end of a test none may still be pending. */
function tracked<T>(promise: Promise<T>, pending: Set<Promise<unknown>>): Promise<T> {
  pending.add(promise)
  const done = (): void => void pending.delete(promise)
  promise.then(done, done)
  return promise
}

export function faultTests({ key, capabilities }: SuiteContext): void {
  const enableModules = [fixtureModules.tasks]

  describe('the allow-list is the boundary', () => {
    test('built-ins, data: URLs, query-string and symlink aliases are refused unless enabled, and the actor keeps serving', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'harrow-alias-'))
      const alias = join(dir, 'tasks-alias.mjs')
      symlinkSync(fileURLToPath(fixtureModules.tasks), alias)
      try {
        await withNursery(
          async (nursery) => {
            const portal = await nursery.startActor('guarded', { enableModules })
            const tricks: FnRef[] = [
              { module: 'node:child_process', name: 'execSync' },
              { module: 'child_process', name: 'execSync' },
              { module: 'data:text/javascript,export const f = () => 1', name: 'f' },
              { module: `${fixtureModules.tasks.href}?alias`, name: 'add' },
              { module: `${fixtureModules.tasks.href}#alias`, name: 'add' },
              { module: pathToFileURL(alias).href, name: 'add' },
              { module: fixtureModules.other.href, name: 'notEnabled' },
            ]
            for (const trick of tricks) {
              const refused = await portal.run(trick, [1, 2]).catch((e: unknown) => e)
              expect(refused, trick.module).toBeInstanceOf(RemoteActorError)
              expect(refused).toMatchObject({ boxedType: ModuleNotEnabledError.name })
            }
            // `..` that resolves to the enabled file names the same module: that is allowed.
            const dotted = new URL(`../fixtures/${fixtureModules.tasks.pathname.split('/').at(-1) ?? ''}`, fixtureModules.tasks).href
            expect(await portal.run({ module: dotted, name: 'add' }, [1, 2])).toBe(3)
            expect(await portal.run(task('add'), [2, 2])).toBe(4)
          },
          { spawnMethod: key },
        )
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  })

  describe('actors dying mid-work', () => {
    test('an actor that exits mid-stream and mid-call rejects both promptly with ActorFailure, and no promise stays pending', async () => {
      const pending = new Set<Promise<unknown>>()
      const failure = await withNursery(
        async (nursery) => {
          const doomed = await nursery.startActor('doomed', { enableModules })
          const sibling = await nursery.startActor('sibling', { enableModules })
          const stream = doomed.stream<number>(task('countForever'))
          expect((await tracked(stream.next(), pending)).value).toBe(0)
          const call = tracked(doomed.run(task('sleep'), [60_000]), pending)
          const siblingCall = tracked(sibling.run(task('sleep'), [60_000]), pending)
          doomed.run(task('exitNow'), [9]).catch(() => {})
          // Items that arrived before the exit are still delivered; then the stream fails.
          const drained = (async () => {
            for (;;) if ((await tracked(stream.next(), pending)).done) return
          })()
          const [item, result] = await Promise.allSettled([drained, call])
          for (const outcome of [item, result]) {
            expect(outcome.status).toBe('rejected')
            expect((outcome as PromiseRejectedResult).reason).toMatchObject({ name: 'ActorFailure', exitCode: 9, phase: 'running' })
          }
          await siblingCall
        },
        { spawnMethod: key },
      ).catch((e: unknown) => e)
      expect(failure).toBeInstanceOf(ActorFailure)
      expect(failure).toMatchObject({ actor: { name: 'doomed' }, exitCode: 9 })
      expect(pending.size).toBe(0)
    })

    test.runIf(capabilities.processes)('an actor killed with SIGKILL mid-call rejects the call with ActorFailure naming the signal', async () => {
      const failure = await withNursery(
        async (nursery) => {
          const victim = await nursery.startActor('victim', { enableModules })
          const call = victim.run(task('sleep'), [60_000])
          process.kill(victim.actor.pid as number, 'SIGKILL')
          await call
        },
        { spawnMethod: key },
      ).catch((e: unknown) => e)
      expect(failure).toMatchObject({ name: 'ActorFailure', signal: 'SIGKILL', exitCode: null, phase: 'running', actor: { name: 'victim' } })
    })
  })

  describe('resource exhaustion', () => {
    test('running out of file descriptors while spawning is a clear harrow error naming the cause, and the nursery closes cleanly', async () => {
      const args = (await rootProgramArgs(rootPrograms.exhaust, key)).map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ')
      const { stdout } = await run('sh', ['-c', `ulimit -n 64 && exec '${process.execPath}' ${args}`], { timeout: 60_000 })
      const outcome = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { spawned: number; error?: { name: string; message: string; harrow: boolean } }
      expect(outcome.spawned).toBeGreaterThan(0)
      expect(outcome.error?.harrow).toBe(true)
      expect(outcome.error?.message).toMatch(/EMFILE|too many open files/)
    })

    // RLIMIT_NPROC binds only an unprivileged user: the test drops to `nobody` to hit it, which needs root. Nobody
    // cannot read a clone in a private (0700) directory, so the program runs from a copy every user can read.
    const privileges =
      capabilities.otherUsers === false
        ? "this backend's set-up belongs to the user running the tests"
        : process.getuid?.() === 0 && existsSync('/usr/bin/setpriv')
          ? undefined
          : 'needs root and setpriv to run as an unprivileged user'
    const tmpBlocked = unreachableByOthers(tmpdir())
    const unprivileged = privileges ?? (tmpBlocked === undefined ? undefined : `the temp directory is private (${tmpBlocked})`)
    const nprocTitle = 'running out of processes and threads while spawning (ulimit -u, as an unprivileged user) is a clear harrow error naming the cause'
    if (unprivileged) test.skip(`${nprocTitle} (skipped: ${unprivileged})`, () => {})
    else
      test(nprocTitle, async () => {
        const [program, spawnMethod, entry] = await rootProgramArgs(rootPrograms.exhaust, key)
        const copy = readableCopy(entry)
        try {
          const args = [copy.program(program ?? ''), spawnMethod ?? key, ...(copy.entry ? [copy.entry] : [])]
            .map((a) => `'${a.replaceAll("'", "'\\''")}'`)
            .join(' ')
          const { stdout } = await run(
            'setpriv',
            ['--reuid=65534', '--regid=65534', '--clear-groups', 'bash', '-c', `ulimit -u 20 && exec '${process.execPath}' ${args}`],
            {
              timeout: 60_000,
              cwd: copy.dir,
            },
          )
          const outcome = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
            spawned: number
            error?: { name: string; message: string; harrow: boolean }
          }
          expect(outcome.error?.harrow).toBe(true)
          expect(outcome.error?.message).toMatch(/EAGAIN|ulimit -u/)
        } finally {
          copy.remove()
        }
      })
  })

  describe.runIf(capabilities.processes)('signals to the root', () => {
    test('SIGTERM to the root cancels the tree like Ctrl-C and exits 143 without a stack trace', async () => {
      const root = spawn(process.execPath, await rootProgramArgs(rootPrograms.interrupt, key), { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      let stderr = ''
      root.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      try {
        const { pids } = await readReport(root)
        const exited = once(root, 'exit') as Promise<[number | null, string | null]>
        root.kill('SIGTERM')
        expect(await exited).toEqual([143, null])
        // The whole tree (its process group, forkserver included) is gone in time, not just the actors.
        expect(await waitFor(() => processGroup(root.pid as number).length === 0, 2000)).toBe(true)
        expect(pids.filter(isAlive)).toEqual([])
        expect(stderr).toBe('')
      } finally {
        killGroup(root.pid)
      }
    })

    test('a second Ctrl-C during teardown kills at once instead of waiting out terminateAfter', async () => {
      const root = spawn(process.execPath, await rootProgramArgs(rootPrograms.interruptWedged, key), { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      try {
        const { pids } = await readReport(root)
        const exited = once(root, 'exit') as Promise<[number | null, string | null]>
        process.kill(-(root.pid as number), 'SIGINT')
        await new Promise((resolve) => setTimeout(resolve, 300))
        expect(pids.every(isAlive)).toBe(true)
        const escalated = performance.now()
        process.kill(-(root.pid as number), 'SIGINT')
        expect(await exited).toEqual([130, null])
        // terminateAfter is 30 s: only the escalation explains an exit this soon.
        expect(performance.now() - escalated).toBeLessThan(10_000)
        expect(await waitFor(() => processGroup(root.pid as number).length === 0, 2000)).toBe(true)
        expect(pids.filter(isAlive)).toEqual([])
      } finally {
        killGroup(root.pid)
      }
    })
  })
}
