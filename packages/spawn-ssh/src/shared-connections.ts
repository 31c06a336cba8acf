/** The OpenSSH control masters that `shareConnection` leaves running between spawns: finding and stopping them. */

import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { usedControlDirectory } from './command.js'

/** How long one `ssh -O` request to a master may take, in ms. */
const CONTROL_REQUEST_BOUND = 2000

/** Shared control sockets in this process's private directory (an actor's own master is named `a-*` and goes with it). */
function sharedSockets(): string[] {
  const dir = usedControlDirectory()
  if (dir === undefined) return []
  try {
    return readdirSync(dir)
      .filter((name) => !name.startsWith('a-'))
      .map((name) => join(dir, name))
  } catch {
    return []
  }
}

function control(socket: string, command: 'check' | 'exit'): string {
  // The host argument is required by ssh but unused: the socket names the connection. ssh answers on stderr.
  const result = spawnSync('ssh', ['-o', `ControlPath=${socket}`, '-O', command, 'harrow-shared'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: CONTROL_REQUEST_BOUND,
  })
  return `${result.stdout ?? ''}${result.stderr ?? ''}`
}

/** Pids of the shared masters still running: infrastructure, not actors. */
export function sharedMasterPids(): number[] {
  const pids: number[] = []
  for (const socket of sharedSockets()) {
    const match = /pid=(\d+)/.exec(control(socket, 'check'))
    if (match?.[1] !== undefined) pids.push(Number(match[1]))
  }
  return pids
}

/** Ask every shared master to exit now instead of after its `ControlPersist`. */
export function stopSharedMasters(): void {
  for (const socket of sharedSockets()) control(socket, 'exit')
}
