/**
 * The global setup of every backend project: marks every process of the run
 * with a session token, and at the end kills whatever still carries it, so CI
 * never hangs on an orphan that a failing test left behind.
 */

import { randomUUID } from 'node:crypto'
import { commandLine, isAlive, pidsWithEnv } from './processes.js'

/** The variable that marks every process started during one test run. */
export const SESSION_TOKEN_ENV = 'HARROW_TEST_SESSION'

export function setup(): () => void {
  // Shared by the projects of this run (one main process), never by a run nested in one of its tests: that run's
  // reaper would kill what this run's other files still use. The token names the process that made it.
  const inherited = process.env[SESSION_TOKEN_ENV]
  const token = inherited?.startsWith(`${process.pid}:`) ? inherited : `${process.pid}:${randomUUID()}`
  process.env[SESSION_TOKEN_ENV] = token
  return () => {
    const reaped: string[] = []
    for (const pid of pidsWithEnv(SESSION_TOKEN_ENV, token)) {
      const command = commandLine(pid)
      // The runner and its own workers carry the token too; only what tests started is reaped.
      if (pid === process.pid || /[/\\]vitest[/\\]/.test(command) || !isAlive(pid)) continue
      try {
        process.kill(pid, 'SIGKILL')
        reaped.push(`  pid ${pid}: ${command}`)
      } catch {
        // exited meanwhile
      }
    }
    if (reaped.length > 0) process.stderr.write(`[harrow] reaped ${reaped.length} leftover process(es) at the end of the run:\n${reaped.join('\n')}\n`)
  }
}
