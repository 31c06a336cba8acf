/** Whether a process still runs and when it started: from /proc where there is one (Linux), else from `kill(pid, 0)`. */

import { lazyFs } from './builtins.js'

/** What {@link processState} reports about a process that exists. */
export interface ProcessState {
  /** It exited and waits to be reaped. */
  readonly zombie: boolean
  /** When it started (clock ticks since boot), to tell a reused pid from its first owner; `undefined` without /proc. */
  readonly start: string | undefined
  /** Its parent's pid; `undefined` without /proc. */
  readonly ppid: number | undefined
  /** Its process group; `undefined` without /proc. */
  readonly pgrp: number | undefined
}

let hasProc: boolean | undefined

/**
 * The state of process `pid`; `undefined` once it is gone. Without /proc a
 * process of another user (EPERM) counts as gone too: it cannot be ours.
 * Read synchronously: a /proc file never waits on a disk, and reading it
 * costs microseconds, where `fs/promises` spends four thread-pool round trips.
 */
export function processState(pid: number): ProcessState | undefined {
  hasProc ??= lazyFs().existsSync('/proc/self/stat')
  if (hasProc) {
    let stat: string
    try {
      stat = lazyFs().readFileSync(`/proc/${pid}/stat`, 'utf8')
    } catch {
      return undefined
    }
    return parseProcStat(stat)
  }
  try {
    process.kill(pid, 0)
    return { zombie: false, start: undefined, ppid: undefined, pgrp: undefined }
  } catch {
    return undefined
  }
}

/** Parse the text of `/proc/<pid>/stat`. */
export function parseProcStat(stat: string): ProcessState {
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const state = fields[0] ?? '?'
  const number = (field: string | undefined): number | undefined => (field !== undefined && /^\d+$/.test(field) ? Number(field) : undefined)
  return { zombie: state === 'Z' || state === 'X', start: fields[19], ppid: number(fields[1]), pgrp: number(fields[2]) }
}

/** Whether `pid` still runs: it exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  const state = processState(pid)
  return state !== undefined && !state.zombie
}
