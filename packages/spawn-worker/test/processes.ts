// Process helpers for this package's tests. (@harrow/testing has the full set, but it runs the
// conformance suite on this backend, so depending on it here would make a dependency cycle.)
import { readFileSync } from 'node:fs'

/** True while `pid` runs; a zombie counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]
    return state !== 'Z' && state !== 'X'
  } catch {
    return false
  }
}

/** Poll `predicate` every 20 ms until it holds or `timeout` ms pass. */
export async function waitFor(predicate: () => boolean, timeout: number): Promise<boolean> {
  const deadline = performance.now() + timeout
  while (!predicate()) {
    if (performance.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return true
}
