/** Looking at OS processes from a test: is a pid alive, which children does a process have. */

import { readFileSync, readdirSync } from 'node:fs'

function stat(pid: number): { state: string; ppid: number } | undefined {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return { state: fields[0] ?? '?', ppid: Number(fields[1]) }
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
    return s !== undefined && s.state !== 'Z' && s.state !== 'X'
  }
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Live (non-zombie) direct children of `pid`. Linux only: elsewhere it returns `[]`. */
export function childPids(pid: number = process.pid): number[] {
  if (!hasProc) return []
  const children: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const s = stat(Number(entry))
    if (s && s.ppid === pid && s.state !== 'Z') children.push(Number(entry))
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
