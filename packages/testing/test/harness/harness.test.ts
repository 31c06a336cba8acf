import { execFile, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isAlive, waitFor } from '@harrow/testing'
import { SESSION_TOKEN_ENV } from '../../src/global-setup.js'
import { FILE_TMPDIR_PREFIX } from '../../src/private-tmpdir.js'
import { UNSUPPORTED_REASON } from './cases/unsupported-backend.js'
import { describe, expect, test } from 'vitest'

const packageRoot = fileURLToPath(new URL('../../', import.meta.url))
const vitestBin = join(dirname(dirname(fileURLToPath(import.meta.resolve('vitest')))), 'vitest.mjs')
const config = fileURLToPath(new URL('./cases/vitest.config.ts', import.meta.url))

interface JsonReport {
  testResults: { name: string; status: string; message: string; assertionResults: { title: string; status: string; failureMessages: string[] }[] }[]
}

interface Outcome {
  code: number | null
  stdout: string
  stderr: string
  elapsed: number
  report: JsonReport | undefined
}

/** Run one case file in a child vitest with the harness's config. */
function runCase(caseFile: string | undefined, args: string[] = [], env: Record<string, string> = {}): Promise<Outcome> {
  const out = mkdtempSync(join(tmpdir(), 'harrow-harness-'))
  const reportFile = join(out, 'report.json')
  const started = performance.now()
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [vitestBin, 'run', '--config', config, '--reporter=json', `--outputFile=${reportFile}`, ...args],
      { cwd: packageRoot, env: { ...process.env, ...(caseFile ? { HARROW_HARNESS_CASE: `test/harness/cases/${caseFile}` } : {}), ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        let report: JsonReport | undefined
        try {
          report = JSON.parse(readFileSync(reportFile, 'utf8')) as JsonReport
        } catch {
          report = undefined
        }
        rmSync(out, { recursive: true, force: true })
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr, elapsed: performance.now() - started, report })
      },
    )
  })
}

function results(outcome: Outcome): Map<string, { status: string; failure: string }> {
  const map = new Map<string, { status: string; failure: string }>()
  for (const file of outcome.report?.testResults ?? []) {
    for (const assertion of file.assertionResults) map.set(assertion.title, { status: assertion.status, failure: assertion.failureMessages.join('\n') })
  }
  return map
}

describe('the harness, run on itself', () => {
  test('a test that leaks a process, an actor or a socket, or causes a warning, fails naming it', async () => {
    const outcome = await runCase('leaks.case.ts', ['--project', 'process'])
    expect(outcome.code).not.toBe(0)
    const byTitle = results(outcome)
    const processLeak = byTitle.get('leaks a plain child process')
    expect(processLeak?.status).toBe('failed')
    expect(processLeak?.failure).toMatch(/left 1 process, actor or socket behind:\n\s+pid \d+: .*node -e setInterval.*leaked-on-purpose/)
    const actorLeak = byTitle.get('leaks an actor')
    expect(actorLeak?.status).toBe('failed')
    expect(actorLeak?.failure).toMatch(/pid \d+ actor 'forgotten-actor': .*child\.js/)
    expect(byTitle.get('leaks nothing')?.status).toBe('passed')
    const socketLeak = byTitle.get('leaks a socket file')
    expect(socketLeak?.status).toBe('failed')
    expect(socketLeak?.failure).toMatch(/socket file .*harrow-leak-case-.*leaked\.sock/)
    expect(byTitle.get('causes a process warning')?.failure).toMatch(/caused 1 process warning\(s\):\n\s+DeprecationWarning: something is deprecated here/)
    const dir = /socket file (\S+)\/leaked\.sock/.exec(socketLeak?.failure ?? '')?.[1]
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  test('a test that wedges its event loop is ended by the watchdog with its name, and the run goes on', async () => {
    const outcome = await runCase('wedged.case.ts', ['--project', 'process'])
    expect(outcome.code).not.toBe(0)
    expect(outcome.stderr).toMatch(/\[harrow watchdog\] test "wedges its event loop" \(.*wedged\.case\.ts\) wedged the event loop/)
    // A bound against a hang: timeout 500 ms + the watchdog's margin, plus vitest's own start-up.
    expect(outcome.elapsed).toBeLessThan(30_000)
  })

  test('skipOnSpawnBackend skips at file, describe and test level, and rejects a typo', async () => {
    const file = results(await runCase('skip-file.case.ts', ['--project', 'process']))
    expect(file.get('would fail on process')?.status).toBe('skipped')
    const outcome = await runCase('skip-levels.case.ts', ['--project', 'process'])
    expect(outcome.code).toBe(0)
    const levels = results(outcome)
    expect(levels.get('inside a skipped describe')?.status).toBe('skipped')
    expect(levels.get('skipped inside its body')?.status).toBe('skipped')
    expect(levels.get('runs on process')?.status).toBe('passed')
    expect(levels.get('a typo in a key is an error')?.status).toBe('passed')
  })

  test('the nursery fixture runs on the project backend, and a failed child fails its test', async () => {
    const byTitle = results(await runCase('fixtures.case.ts', ['--project', 'process']))
    expect(byTitle.get('the nursery fixture spawns on the project backend and is closed after the test')?.status).toBe('passed')
    const failed = byTitle.get('a child that fails makes the test fail through the nursery fixture')
    expect(failed?.status).toBe('failed')
    expect(failed?.failure).toContain('failed inside the fixture nursery')
  })

  test('HARROW_SPAWN_METHOD with an unknown key ends the run with one usage line and no stack trace', async () => {
    const outcome = await runCase('skip-levels.case.ts', [], { HARROW_SPAWN_METHOD: 'nope' })
    expect(outcome.code).toBe(2)
    expect(outcome.stderr.trim()).toBe('harrow: HARROW_SPAWN_METHOD=nope is not a spawn method; known: process, worker, forkserver, ssh, nowhere')
  })

  test('asking for a backend that is not available ends the run with one usage line naming why', async () => {
    const byEnv = await runCase('skip-levels.case.ts', [], { HARROW_SPAWN_METHOD: 'nowhere' })
    expect(byEnv.code).toBe(2)
    expect(byEnv.stderr.trim()).toBe(`harrow: spawn method 'nowhere' is unavailable: ${UNSUPPORTED_REASON}`)
    const byProject = await runCase('skip-levels.case.ts', ['--project', 'nowhere'])
    expect(byProject.code).toBe(2)
    expect(byProject.stderr.trim()).toBe(`harrow: spawn method 'nowhere' is unavailable: ${UNSUPPORTED_REASON}`)
  })

  test("processes that escaped every test are killed by the reaper at the end of the run, and only that run's", async () => {
    // A process of an outer run (this run's session token, as a run started inside a test inherits it): the inner
    // run's reaper must leave it alone.
    const outerToken = `${process.pid}:${randomUUID()}`
    const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000) // outer-run'], {
      env: { ...process.env, [SESSION_TOKEN_ENV]: outerToken },
      stdio: 'ignore',
    })
    const bystanderExited = once(bystander, 'exit')
    try {
      const outcome = await runCase('escapes.case.ts', ['--project', 'process'], { [SESSION_TOKEN_ENV]: outerToken })
      const pid = Number(/escaped pid (\d+)/.exec(outcome.stdout)?.[1])
      expect(pid).toBeGreaterThan(0)
      expect(outcome.stderr).toMatch(
        new RegExp(`\\[harrow\\] reaped \\d+ leftover process\\(es\\) at the end of the run:\\n\\s+pid ${pid}: .*escaped-the-tests`),
      )
      expect(await waitFor(() => !isAlive(pid), 2000)).toBe(true)
      expect(outcome.stderr).not.toContain(`pid ${bystander.pid}:`)
      expect(bystander.exitCode === null && bystander.signalCode === null).toBe(true)
    } finally {
      bystander.kill('SIGKILL')
      await bystanderExited
    }
  })

  test('each file runs with a private temp directory, removed with what is in it when the file ends', async () => {
    const outcome = await runCase('tmpdir.case.ts', ['--project', 'process'])
    expect(outcome.code).toBe(0)
    const dir = /file tmpdir (\S+)/.exec(outcome.stdout)?.[1] ?? ''
    expect(dirname(dir)).toBe(tmpdir())
    expect(basename(dir).startsWith(FILE_TMPDIR_PREFIX)).toBe(true)
    expect(existsSync(dir)).toBe(false)
  })

  test('HARROW_SPAWN_METHOD=process runs only that backend', async () => {
    const outcome = await runCase('skip-levels.case.ts', [], { HARROW_SPAWN_METHOD: 'process' })
    expect(outcome.code).toBe(0)
    expect(outcome.report?.testResults).toHaveLength(1)
    expect([...results(outcome).keys()].some((title) => title.startsWith('spawn method unavailable'))).toBe(false)
  })

  test('--project runs one backend; a backend nobody asked for that is unavailable is reported as skipped', async () => {
    const one = await runCase('skip-levels.case.ts', ['--project', 'process'])
    expect([...results(one).keys()].some((title) => title.startsWith('spawn method unavailable'))).toBe(false)
    const all = await runCase('skip-levels.case.ts')
    const reported = results(all).get(`spawn method unavailable: nowhere: ${UNSUPPORTED_REASON}`)
    expect(reported?.status).toBe('skipped')
  })
})
