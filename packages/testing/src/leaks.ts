/**
 * Leak checks: every process and actor a test started must be gone when it
 * ends. Processes are found by an environment token each test sets (children
 * inherit it, even after they are orphaned) and by descent from the test
 * process; actors by core's registry of unreaped children.
 */

import { randomUUID } from 'node:crypto'
import { lstatSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { liveActors, type ActorInfo } from '@harrow/core'
import { loadedSpawnBackends } from '@harrow/core/backend'
import { commandLine, descendantPids, isAlive, pidsWithEnv, waitFor } from './processes.js'

/** The variable that marks every process started during one test. */
export const TEST_TOKEN_ENV = 'HARROW_TEST_TOKEN'

/** How long what a test started may take to finish exiting before it counts as leaked, in ms. */
export const LEAK_GRACE = 2000

/** What existed when a test started. */
export interface LeakBaseline {
  /** The value of {@link TEST_TOKEN_ENV} the test's processes inherit. */
  readonly token: string
  /** Descendants of the test process that existed already. */
  readonly pids: ReadonlySet<number>
  /** Uids of actors that were alive already. */
  readonly actors: ReadonlySet<string>
  /** Socket files in harrow's directories that existed already. */
  readonly sockets: ReadonlySet<string>
}

/** Where harrow's backends keep Unix socket files: private directories named `harrow-*` under the temp directory. */
export const SOCKET_DIR_PREFIX = 'harrow-'

/** How deep below a `harrow-*` directory socket files are looked for. */
const SOCKET_SCAN_DEPTH = 2

/** Unix socket files in harrow's socket directories (`$TMPDIR/harrow-*`, two levels deep). */
export function harrowSocketFiles(): string[] {
  const found: string[] = []
  const scan = (dir: string, depth: number): void => {
    let names: string[]
    try {
      names = readdirSync(dir)
    } catch {
      return
    }
    for (const name of names) {
      const path = join(dir, name)
      try {
        const stat = lstatSync(path)
        if (stat.isSocket()) found.push(path)
        else if (stat.isDirectory() && depth > 0) scan(path, depth - 1)
      } catch {
        // removed meanwhile
      }
    }
  }
  let entries: string[]
  try {
    entries = readdirSync(tmpdir()).filter((name) => name.startsWith(SOCKET_DIR_PREFIX))
  } catch {
    return found
  }
  for (const entry of entries) scan(join(tmpdir(), entry), SOCKET_SCAN_DEPTH - 1)
  return found
}

/** One leaked process, actor or socket file. */
export interface Leak {
  /** A leaked socket file's path. */
  readonly socket?: string
  /** A leaked process's pid. */
  readonly pid?: number
  /** A leaked thread actor's thread id. */
  readonly threadId?: number
  /** A leaked process's command line. */
  readonly command?: string
  /** The leaked actor's name, when it is one. */
  readonly actor?: string
  /** The leaked actor's spawn method, when known. */
  readonly spawnMethod?: string
}

/** Mark the processes the coming test starts, and remember what exists already. */
export function startLeakWatch(): LeakBaseline {
  const token = randomUUID()
  process.env[TEST_TOKEN_ENV] = token
  return { token, pids: new Set(descendantPids()), actors: new Set(liveActors().map((a) => a.uid)), sockets: new Set(harrowSocketFiles()) }
}

function actorProcessName(pid: number, actors: readonly ActorInfo[]): string | undefined {
  return actors.find((a) => a.pid === pid)?.name
}

/** What the test started that is still alive now. */
export function currentLeaks(baseline: LeakBaseline): Leak[] {
  const actors = liveActors().filter((a) => !baseline.actors.has(a.uid))
  const pids = new Set([...pidsWithEnv(TEST_TOKEN_ENV, baseline.token), ...descendantPids().filter((pid) => !baseline.pids.has(pid))])
  pids.delete(process.pid)
  // A backend's own long-lived processes (a forkserver and its idle pool) are not the test's to end.
  for (const backend of loadedSpawnBackends().values()) for (const pid of backend.infrastructurePids?.() ?? []) pids.delete(pid)
  const leaks: Leak[] = []
  for (const pid of pids) {
    if (!isAlive(pid)) continue
    const command = commandLine(pid)
    const actor = actorProcessName(pid, actors)
    leaks.push({ pid, command, ...(actor === undefined ? {} : { actor }) })
  }
  // Actors without a process of their own (threads) can only be seen through core's registry.
  for (const actor of actors) {
    if (actor.pid !== undefined && pids.has(actor.pid)) continue
    if (actor.pid !== undefined && actor.pid !== process.pid) continue
    leaks.push({ actor: actor.name, spawnMethod: actor.spawnMethod, ...(actor.threadId === undefined ? {} : { threadId: actor.threadId }) })
  }
  const kept = new Set([...loadedSpawnBackends().values()].flatMap((backend) => backend.infrastructurePaths?.() ?? []))
  for (const socket of harrowSocketFiles()) if (!baseline.sockets.has(socket) && !kept.has(socket)) leaks.push({ socket })
  return leaks
}

/** One line per leak, naming pid, actor and command. */
export function describeLeaks(leaks: readonly Leak[]): string {
  return leaks
    .map((leak) => {
      if (leak.socket !== undefined) return `  socket file ${leak.socket}`
      const who = leak.pid !== undefined ? `pid ${leak.pid}` : `thread ${leak.threadId ?? '?'}`
      const actor = leak.actor === undefined ? '' : ` actor '${leak.actor}'${leak.spawnMethod ? ` (${leak.spawnMethod})` : ''}`
      return `  ${who}${actor}${leak.command ? `: ${leak.command}` : ''}`
    })
    .join('\n')
}

/** An error listing what a test left running. */
export class LeakError extends Error {
  /** What was left behind. */
  readonly leaks: readonly Leak[]

  constructor(testName: string, leaks: readonly Leak[]) {
    super(
      `test "${testName}" left ${leaks.length} process${leaks.length === 1 ? '' : 'es'}, actor${leaks.length === 1 ? '' : 's'} or socket${leaks.length === 1 ? '' : 's'} behind:\n${describeLeaks(leaks)}`,
    )
    this.name = 'LeakError'
    this.leaks = leaks
  }
}

/**
 * Wait (up to {@link LEAK_GRACE}) for what the test started to exit; kill any
 * process still alive by pid, then throw a {@link LeakError} naming it.
 */
export async function assertNoLeaks(baseline: LeakBaseline, testName: string): Promise<void> {
  let leaks = currentLeaks(baseline)
  if (leaks.length > 0 && (await waitFor(() => (leaks = currentLeaks(baseline)).length === 0, LEAK_GRACE))) return
  if (leaks.length === 0) return
  for (const leak of leaks) {
    if (leak.pid === undefined) continue
    try {
      process.kill(leak.pid, 'SIGKILL')
    } catch {
      // it exited meanwhile
    }
  }
  throw new LeakError(testName, leaks)
}
