/** Signalling a child process on every runtime, without ever signalling a pid that may have been reused. */

import type { ChildProcess } from 'node:child_process'

/**
 * Send `signal` to `child` unless it has exited. `exited` is the caller's
 * record of the child's `'exit'` event: the runtime's own `exitCode` and
 * `signalCode` cannot be trusted for that (Deno 2 sets `signalCode` as soon
 * as a signal is sent). `child.kill()` goes first; where it refuses to
 * deliver (Deno 2: `kill('SIGKILL')` after `kill('SIGTERM')` returns false
 * and sends nothing, so a child that handles SIGTERM would never die) the
 * signal goes to the pid itself. Until `'exit'` the runtime has not handed
 * the pid back to the system, so it is still this child's.
 *
 * @returns whether a signal was sent.
 */
export function signalChild(child: ChildProcess, signal: NodeJS.Signals, exited: boolean): boolean {
  if (exited) return false
  if (child.kill(signal)) return true
  if (child.pid === undefined) return false
  try {
    process.kill(child.pid, signal)
    return true
  } catch {
    // ESRCH: it is gone, and its 'exit' is on its way.
    return false
  }
}
