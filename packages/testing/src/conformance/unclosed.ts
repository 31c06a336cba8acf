/** Conformance: a root whose own code ends with a nursery still open is told which, and ends with its tree gone. */

import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { describe, expect, test } from 'vitest'
import { rootProgramArgs, rootPrograms } from '../fixture-modules.js'
import { isAlive, processGroup, waitFor } from '../processes.js'
import type { SuiteContext } from './context.js'
import { killGroup, type RootReport } from './root-programs.js'

/** How long the program may take to end by itself: the old behaviour was never. */
const EXIT_BOUND = 20_000

/** How long its actors may take to disappear once it has exited. */
const TEARDOWN_BOUND = 2000

interface Ending {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly report: RootReport
}

async function runUnclosed(key: string, env: Record<string, string> = {}): Promise<Ending> {
  // Its own process group, so that a hang can still be cleaned up whole.
  const root = spawn(process.execPath, await rootProgramArgs(rootPrograms.unclosed, key), {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, HARROW_LOG: 'warn', ...env },
  })
  let stdout = ''
  let stderr = ''
  root.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  root.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const timer = setTimeout(() => killGroup(root.pid), EXIT_BOUND)
  try {
    const [code, signal] = (await once(root, 'close')) as [number | null, NodeJS.Signals | null]
    expect(signal, `the program did not end by itself within ${EXIT_BOUND} ms; stderr:\n${stderr}`).toBeNull()
    const report = JSON.parse(stdout.split('\n')[0] ?? '') as RootReport
    return { code, stdout, stderr, report }
  } finally {
    clearTimeout(timer)
    killGroup(root.pid)
  }
}

/** Whether the program's actors (processes) and its process group are gone, within {@link TEARDOWN_BOUND}. */
function treeGone(report: RootReport): Promise<boolean> {
  return waitFor(() => !report.pids.some(isAlive) && processGroup(report.root).length === 0, TEARDOWN_BOUND)
}

export function unclosedTests({ key, capabilities }: SuiteContext): void {
  describe('a root that forgets to close its nursery', () => {
    test('answers the call still in flight, says which nursery was left open, closes it and exits 0', async () => {
      const { code, stdout, stderr, report } = await runUnclosed(key)
      expect(stdout).toContain('item 0\nitem 1\n')
      expect(stdout).toContain('late answer: slept\n')
      expect(stderr).toMatch(
        /^\[harrow root\] warn: a nursery opened in \S*unclosed\.mjs:\d+:\d+ with 2 actors \('forgotten-a', 'forgotten-b'\) was still open when nothing else kept the program alive: closing it now\./m,
      )
      expect(code).toBe(0)
      if (capabilities.processes) expect(await treeGone(report)).toBe(true)
    })

    test('an actor that died while nothing waited on it fails the program when harrow closes the nursery', async () => {
      const { code, stderr, report } = await runUnclosed(key, { UNCLOSED_FAIL: '1' })
      expect(stderr).toMatch(/^\[harrow root\] warn: a nursery opened in \S*unclosed\.mjs:\d+:\d+ with .* was still open/m)
      expect(stderr).toMatch(/ActorFailure: actor 'forgotten-b[^']*' exited with code 7/)
      expect(code).toBe(1)
      if (capabilities.processes) expect(await treeGone(report)).toBe(true)
    })
  })
}
