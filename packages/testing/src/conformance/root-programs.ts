/** Running the root programs of the orphan, signal and kill-matrix tests: each in its own process group. */

import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'

/** What a root program prints first: its pid and the pids (or thread ids) of its actors. */
export interface RootReport {
  readonly root: number
  readonly pids: number[]
}

/** The first line a root program prints, parsed; rejects if it exits before printing one. */
export async function readReport(child: ChildProcess): Promise<RootReport> {
  if (!child.stdout) throw new Error('the root program has no stdout pipe')
  const lines = createInterface({ input: child.stdout })
  const exited = once(child, 'exit').then(([code, signal]) => {
    throw new Error(`the root program exited early (code ${String(code)}, signal ${String(signal)})`)
  })
  try {
    const [line] = (await Promise.race([once(lines, 'line'), exited])) as [string]
    return JSON.parse(line) as RootReport
  } finally {
    lines.close()
    exited.catch(() => {})
  }
}

/** SIGKILL a process group the test created (a detached root's), if anything of it is left. */
export function killGroup(pgid: number | undefined): void {
  if (pgid === undefined) return
  try {
    process.kill(-pgid, 'SIGKILL')
  } catch {
    // already gone
  }
}
