/**
 * The forkserver this process uses: the one it started (a root, or any
 * process that inherited none), or its tree's, whose address and secret came
 * down in its spawn spec as a tree value. Starting, configuring, stopping.
 */

import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createConnection, type Socket } from 'node:net'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { TIMED_OUT, getTreeValue, setTreeValue, within } from '@harrow/core/backend'
import { makeSecret } from '../shared/auth.js'
import { poolConfig, updateSettings, type ForkserverOptions } from './config.js'
import { ForkserverError } from '../shared/errors.js'
import { ServerLink } from './server-link.js'
import { removeSocketDir } from '../shared/socket-dir.js'
import { encodeMessage } from '../shared/wire.js'

/** The tree value that hands the forkserver's address and secret down the tree. */
const TREE_KEY = 'harrow.forkserver'

/** How long a new forkserver may take to listen, in ms. */
export const START_TIMEOUT = 30_000

/** How long `stopForkserver()` waits for the forkserver to end its children and exit before killing it, in ms. */
export const STOP_TIMEOUT = 5000

const SERVER_ENTRY = fileURLToPath(new URL('./server.js', import.meta.url))

interface TreeEntry {
  readonly address: string
  readonly secret: string
}

/** What {@link forkserverInfo} reports. */
export interface ForkserverInfo {
  /** The forkserver's pid. */
  readonly pid: number | undefined
  /** Its Unix socket, inside a private (0700) directory. */
  readonly address: string
  /** `true` when this process started it; `false` when it is the tree's, inherited from an ancestor. */
  readonly owned: boolean
  /** Its idle children, as last reported (known only to the process that started it). */
  readonly pool: {
    /** Pids of idle children that have booted and wait for an actor. */
    readonly ready: readonly number[]
    /** Pids of idle children still booting; a spawn may take one of these too. */
    readonly booting: readonly number[]
  }
}

/** The forkserver this process started, while it runs. */
let own: { readonly link: Promise<ServerLink>; current?: ServerLink } | undefined
/** This process's connection to its tree's forkserver. */
let inherited: { readonly address: string; readonly link: Promise<ServerLink>; current?: ServerLink } | undefined

function inheritedEntry(): TreeEntry | undefined {
  const entry = getTreeValue<Partial<TreeEntry>>(TREE_KEY)
  if (typeof entry !== 'object' || entry === null || typeof entry.address !== 'string' || typeof entry.secret !== 'string') return undefined
  return { address: entry.address, secret: entry.secret }
}

async function startOwn(): Promise<ServerLink> {
  const secret = makeSecret()
  // No flags of ours: the forkserver runs only harrow's code. Its environment is the pool's, and a copy
  // of it stays here, so that spawns can send only how an actor's environment differs.
  const poolEnv = { ...process.env }
  const server = spawn(process.execPath, [SERVER_ENTRY], { stdio: ['ignore', 'inherit', 'inherit', 'pipe'], env: poolEnv, windowsHide: true })
  if (server.pid === undefined) {
    const [error] = (await once(server, 'error')) as [Error]
    throw new ForkserverError(`cannot start the forkserver: ${error.message}`, { cause: error })
  }
  const link = new ServerLink(server.stdio[3] as Socket, { server, poolEnv })
  link.send({ op: 'init', secret, config: poolConfig() })
  try {
    if ((await within(link.ready, START_TIMEOUT)) === TIMED_OUT) throw new ForkserverError(`the forkserver did not start within ${START_TIMEOUT} ms`)
  } catch (error) {
    server.kill('SIGKILL')
    link.close()
    throw error instanceof ForkserverError ? error : new ForkserverError(`cannot start the forkserver: ${(error as Error).message}`, { cause: error })
  }
  // It must not keep this process alive, and it dies with it (EOF on fd 3).
  link.unref()
  const address = link.address
  setTreeValue(TREE_KEY, { address, secret } satisfies TreeEntry)
  void link.closed.then(() => {
    // A forkserver that was killed cannot remove its socket directory: its root does.
    removeSocketDir(dirname(address))
    if (inheritedEntry()?.address === address) setTreeValue(TREE_KEY, undefined)
    if (own?.current === link) own = undefined
  })
  return link
}

async function connectInherited(entry: TreeEntry): Promise<ServerLink> {
  const socket = createConnection(entry.address)
  socket.write(encodeMessage({ op: 'control', secret: entry.secret }))
  const link = new ServerLink(socket, { address: entry.address })
  try {
    if ((await within(link.ready, START_TIMEOUT)) === TIMED_OUT)
      throw new ForkserverError(`the forkserver at ${entry.address} did not answer within ${START_TIMEOUT} ms`)
  } catch (error) {
    link.close()
    throw new ForkserverError(`cannot reach this actor tree's forkserver at ${entry.address}: ${(error as Error).message}`, { cause: error })
  }
  link.unref()
  return link
}

/**
 * Keep the link of `attempt` in `attempt.current` once it is made; when making
 * it fails, `forget` drops the attempt, so that the next spawn tries again.
 */
function track<T extends { readonly link: Promise<ServerLink>; current?: ServerLink }>(attempt: T, forget: () => void): T {
  attempt.link.then((link) => (attempt.current = link), forget)
  return attempt
}

/**
 * The forkserver to spawn with: the tree's when this process inherited one,
 * else the one this process started, started now when needed.
 *
 * @throws ForkserverError when it cannot be started or reached.
 */
export async function useForkserver(): Promise<ServerLink> {
  if (own) {
    const current = own
    const link = await current.link.catch((error: unknown) => {
      if (own === current) own = undefined
      throw error
    })
    if (!link.isClosed) return link
    if (own === current) own = undefined
  }
  const entry = inheritedEntry()
  if (entry) {
    if (inherited?.address !== entry.address || inherited.current?.isClosed) {
      const attempt: NonNullable<typeof inherited> = { address: entry.address, link: connectInherited(entry) }
      inherited = track(attempt, () => {
        if (inherited === attempt) inherited = undefined
      })
    }
    return inherited.link
  }
  const attempt: NonNullable<typeof own> = { link: startOwn() }
  own = track(attempt, () => {
    if (own === attempt) own = undefined
  })
  return attempt.link
}

/**
 * Start this process's forkserver now rather than on the first spawn (or,
 * in an actor, connect to its tree's), and report it. Useful to pay its
 * start-up before the application grows, or before timing spawns.
 *
 * @throws ForkserverError when it cannot be started or reached.
 */
export async function startForkserver(): Promise<ForkserverInfo> {
  const link = await useForkserver()
  return infoOf(link)
}

function infoOf(link: ServerLink): ForkserverInfo {
  return { pid: link.pid, address: link.address, owned: link.server !== undefined, pool: link.pool }
}

/** The forkserver this process uses, once it has started or connected; `undefined` before. */
export function forkserverInfo(): ForkserverInfo | undefined {
  const link = own?.current ?? inherited?.current
  return link && !link.isClosed ? infoOf(link) : undefined
}

/**
 * Set the forkserver's options. Before it starts they apply from its start;
 * while it runs (started by this process) it applies them at once: idle
 * children booted with other settings are replaced, and the pool grows or
 * shrinks to `poolSize`. Actors already handed out are not affected.
 *
 * @throws RangeError for a pool size that is not an integer from 0 to 64.
 * @throws TypeError for a malformed `preload` or `execArgv`, or a relative preload path.
 * @throws ForkserverError inside an actor whose tree's forkserver it uses: configure it in the root.
 */
export function configureForkserver(options: ForkserverOptions): void {
  if (!own && inheritedEntry()) {
    throw new ForkserverError("configureForkserver: this process uses its actor tree's forkserver, which the root configures")
  }
  updateSettings(options)
  own?.current?.send({ op: 'configure', config: poolConfig() })
}

/**
 * Stop the forkserver this process started: it removes its socket directory,
 * ends the actors it handed out (SIGTERM, then SIGKILL after 1 s) and its
 * idle children, and exits. Close your nurseries first. The next spawn with
 * `'forkserver'` starts a new one. Does nothing in a process that did not
 * start one (an actor using its tree's forkserver).
 */
export async function stopForkserver(): Promise<void> {
  const current = own
  if (!current) return
  own = undefined
  let link: ServerLink
  try {
    link = await current.link
  } catch {
    return
  }
  const server = link.server
  if (inheritedEntry()?.address === link.address) setTreeValue(TREE_KEY, undefined)
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = once(server, 'exit')
    link.send({ op: 'stop' })
    // An 'error' event on the process (it could not be signalled) counts as not stopping in time.
    if ((await within(exited, STOP_TIMEOUT).catch(() => TIMED_OUT)) === TIMED_OUT) {
      server.kill('SIGKILL')
      await exited
    }
  }
  link.close()
  removeSocketDir(dirname(link.address))
}

/** The socket files this process's forkserver links keep: the address of the one it started, and its own listener. */
export function infrastructurePaths(): string[] {
  const paths: string[] = []
  for (const link of [own?.current, inherited?.current]) {
    if (!link || link.isClosed) continue
    if (link === own?.current) paths.push(link.address)
    if (link.replyPath !== undefined) paths.push(link.replyPath)
  }
  return paths
}

/** The pids of the forkserver this process started and of its idle children: infrastructure, not actors. */
export function infrastructurePids(): number[] {
  const link = own?.current
  if (!link || link.isClosed || link.pid === undefined) return []
  return [link.pid, ...link.pool.ready, ...link.pool.booting]
}
