/** Looking at OS processes from a test: is a pid alive, which children does a process have. */

import { readFileSync, readdirSync } from 'node:fs'
import { processState } from '@harrow/core/backend'

/** The /proc state of `pid` with its parent and group, when it runs on a system with /proc. */
function stat(pid: number): { state: 'live' | 'zombie'; ppid: number; pgrp: number } | undefined {
  const state = processState(pid)
  if (state?.ppid === undefined || state.pgrp === undefined) return undefined
  return { state: state.zombie ? 'zombie' : 'live', ppid: state.ppid, pgrp: state.pgrp }
}

const hasProc = ((): boolean => {
  try {
    readdirSync('/proc/self')
    return true
  } catch {
    return false
  }
})()

/** True while `pid` runs. A zombie (exited, not yet reaped by whoever inherited it) counts as gone. */
export function isAlive(pid: number): boolean {
  if (hasProc) {
    const s = stat(pid)
    return s !== undefined && s.state === 'live'
  }
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Every live process id on this machine (Linux only: elsewhere `[]`). */
export function allPids(): number[] {
  if (!hasProc) return []
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
}

/** Live descendants of `pid` (children, grandchildren, ...). Linux only: elsewhere `[]`. */
export function descendantPids(pid: number = process.pid): number[] {
  if (!hasProc) return []
  const parentOf = new Map<number, number>()
  for (const other of allPids()) {
    const s = stat(other)
    if (s && s.state === 'live') parentOf.set(other, s.ppid)
  }
  const found: number[] = []
  const frontier = [pid]
  while (frontier.length > 0) {
    const parent = frontier.pop() as number
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child)
        frontier.push(child)
      }
    }
  }
  return found
}

/** Processes whose environment holds `NAME=value` (Linux only: elsewhere `[]`). Unreadable ones are skipped. */
export function pidsWithEnv(name: string, value: string): number[] {
  if (!hasProc) return []
  const needle = Buffer.from(`${name}=${value}\0`)
  return allPids().filter((pid) => {
    if (!isAlive(pid)) return false
    try {
      return readFileSync(`/proc/${pid}/environ`).includes(needle)
    } catch {
      return false
    }
  })
}

/** A process's command line, for messages (`'?'` when it cannot be read). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ')
  } catch {
    return '?'
  }
}

/** Live processes of process group `pgid` (a detached root's whole tree, forkserver included). Linux only: elsewhere `[]`. */
export function processGroup(pgid: number): number[] {
  if (!hasProc) return []
  return allPids().filter((pid) => {
    const s = stat(pid)
    return s !== undefined && s.pgrp === pgid && s.state === 'live'
  })
}

/** Live (non-zombie) direct children of `pid`. Linux only: elsewhere it returns `[]`. */
export function childPids(pid: number = process.pid): number[] {
  if (!hasProc) return []
  const children: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const s = stat(Number(entry))
    if (s && s.ppid === pid && s.state === 'live') children.push(Number(entry))
  }
  return children
}

/** Poll `predicate` every 20 ms until it holds or `timeout` ms pass; resolves with its last value. */
export async function waitFor(predicate: () => boolean, timeout: number): Promise<boolean> {
  const deadline = performance.now() + timeout
  for (;;) {
    if (predicate()) return true
    if (performance.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
