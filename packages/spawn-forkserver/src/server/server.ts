/**
 * The forkserver process. Its root started it with a private control channel
 * on fd 3; it listens on a Unix socket in a 0700 directory, where the rest of
 * the root's tree opens control channels of its own. It keeps a pool of warm
 * children, hands them out on request, reaps them and reports their exits.
 * When the root's channel closes (the root died, however it died) it removes
 * its socket directory, ends every child and exits.
 */

import { randomUUID } from 'node:crypto'
import { type Socket, createServer, type Server } from 'node:net'
import { dirname } from 'node:path'
import { createLogger, inheritedChannel } from '@harrow/core/backend'
import { secretMatches } from '../shared/auth.js'
import { Pool, type Owner } from './pool.js'
import { createSocketDir, removeSocketDir, removeSocketFile, sweepStaleDirs, type SocketDir } from '../shared/socket-dir.js'
import {
  MAX_FIRST_MESSAGE_BYTES,
  MAX_MESSAGE_BYTES,
  MessageReader,
  WireError,
  encodeMessage,
  isActorRequest,
  isPoolConfig,
  type PoolConfig,
  type ServerMessage,
  type SpawnMessage,
} from '../shared/wire.js'

/** How long a new connection may take to send its first message, in ms. */
const FIRST_MESSAGE_TIMEOUT = 5000

/** Connections that have not authenticated yet, at most; more are refused at once. */
const MAX_UNAUTHENTICATED = 64

/** Refusals logged per minute, at most: a flood of bad connections must not flood the root's stderr. */
const REFUSALS_LOGGED_PER_MINUTE = 20

/** How long the forkserver batches changes of its pool before it reports them to the root, in ms. */
const POOL_REPORT_DELAY = 20

/** How long exiting waits for the last messages to the root to flush, in ms. */
const FLUSH_BOUND = 200

const log = createLogger(`forkserver(${process.pid})`)

let secret: string | undefined
let pool: Pool | undefined
let listener: Server | undefined
let dir: SocketDir | undefined
let stopping = false
let unauthenticated = 0

// The root's private control channel, a socketpair inherited as fd 3.
const control = inheritedChannel(3)

const rootOwner: Owner = {
  token: randomUUID(),
  send: (message) => sendControl(message),
}

function sendControl(message: ServerMessage): void {
  if (!control.destroyed && control.writable) control.write(encodeMessage(message))
}

let poolReport: NodeJS.Timeout | undefined
/**
 * Tell the root which children idle in the pool, so its leak checks can tell
 * them from actors. Batched: the root should not spend time on it while it
 * waits for an actor.
 */
function reportPool(): void {
  poolReport ??= setTimeout(() => {
    poolReport = undefined
    if (pool) sendControl({ op: 'pool', ...pool.idle() })
  }, POOL_REPORT_DELAY)
}

let refusals = 0
let refusalWindow = 0
function refuse(socket: Socket, reason: string): void {
  const now = Date.now()
  if (now - refusalWindow > 60_000) {
    if (refusals > REFUSALS_LOGGED_PER_MINUTE) log.warn(`... and ${refusals - REFUSALS_LOGGED_PER_MINUTE} more refused connections`)
    refusalWindow = now
    refusals = 0
  }
  if (++refusals <= REFUSALS_LOGGED_PER_MINUTE) log.warn(`refused a connection: ${reason}`)
  socket.destroy()
}

/** The socket file a member of the tree listens on for its actors: inside this forkserver's directory, or not accepted. */
function replyPath(path: unknown): path is string {
  return typeof path === 'string' && dir !== undefined && dirname(path) === dir.path
}

/**
 * A message on a control channel (the root's or a descendant's): spawn and
 * signal requests for the actors the channel owns.
 *
 * @throws WireError for anything else.
 */
function ownerMessage(owner: Owner, message: unknown, replies: Set<string>): void {
  const m = message as Partial<Omit<SpawnMessage, 'op'>> & { op?: unknown; signal?: unknown }
  if (m.op === 'spawn' && typeof m.id === 'string' && typeof m.ticket === 'string' && replyPath(m.reply) && isActorRequest(m.actor)) {
    replies.add(m.reply)
    pool?.acquire(owner, m as SpawnMessage)
    return
  }
  if (m.op === 'reply' && replyPath(m.reply)) {
    replies.add(m.reply)
    return
  }
  if (m.op === 'signal' && typeof m.id === 'string' && (m.signal === 'SIGTERM' || m.signal === 'SIGKILL')) {
    pool?.signal(owner, m.id, m.signal)
    return
  }
  throw new WireError(`unexpected message on a control channel (${String(m.op)})`)
}

/**
 * A new connection: its first message must prove the tree's secret; it then
 * becomes the control channel of a member of the tree that spawns. Anything
 * else is refused and logged, and disturbs nothing else.
 */
function onConnection(socket: Socket): void {
  socket.on('error', () => {})
  if (stopping || unauthenticated >= MAX_UNAUTHENTICATED) {
    refuse(socket, stopping ? 'the forkserver is stopping' : `more than ${MAX_UNAUTHENTICATED} connections waiting to authenticate`)
    return
  }
  unauthenticated++
  const reader = new MessageReader(MAX_FIRST_MESSAGE_BYTES)
  let owner: Owner | undefined
  const replies = new Set<string>()
  let waiting = true
  /** The connection no longer counts as waiting to authenticate (it did, was refused, or closed). Idempotent. */
  const authenticated = (): void => {
    if (!waiting) return
    waiting = false
    clearTimeout(timer)
    unauthenticated--
  }
  const timer = setTimeout(() => {
    authenticated()
    refuse(socket, `no message within ${FIRST_MESSAGE_TIMEOUT} ms`)
  }, FIRST_MESSAGE_TIMEOUT)
  socket.on('data', (chunk: Buffer) => {
    let messages: unknown[]
    try {
      messages = reader.push(chunk)
    } catch (error) {
      if (!owner) {
        authenticated()
        refuse(socket, (error as Error).message)
      } else {
        log.warn(`closing a control channel: ${(error as Error).message}`)
        socket.destroy()
      }
      return
    }
    for (const message of messages) {
      if (!owner) {
        authenticated()
        const first = message as { op?: unknown; secret?: unknown }
        if (!secret || !secretMatches(secret, first.secret)) return refuse(socket, first.secret === undefined ? 'no secret' : 'wrong secret')
        if (first.op !== 'control') return refuse(socket, `an authenticated client sent an unexpected first message (${String(first.op)})`)
        owner = {
          token: randomUUID(),
          send: (reply) => {
            if (!socket.destroyed && socket.writable) socket.write(encodeMessage(reply))
          },
        }
        reader.maxBytes = MAX_MESSAGE_BYTES
        owner.send({ op: 'welcome', pid: process.pid })
        continue
      }
      try {
        ownerMessage(owner, message, replies)
      } catch (error) {
        log.warn(`closing a control channel: ${(error as Error).message}`)
        socket.destroy()
        return
      }
    }
  })
  socket.on('close', () => {
    authenticated()
    if (!owner) return
    // A member of the tree is gone: its actors are orphans, and its socket file is left behind if it was killed.
    pool?.ownerGone(owner)
    for (const path of replies) removeSocketFile(path)
  })
}

const rootReplies = new Set<string>()

function onControlMessage(message: unknown): void {
  const m = message as { op?: unknown; secret?: unknown; config?: unknown }
  if (!secret) {
    if (m.op !== 'init' || typeof m.secret !== 'string' || !isPoolConfig(m.config)) throw new WireError('the first message from the root must be init')
    secret = m.secret
    try {
      start(m.config)
    } catch (error) {
      fatal(`cannot start: ${(error as Error).message}`)
    }
    return
  }
  switch (m.op) {
    case 'configure':
      if (!isPoolConfig(m.config)) throw new WireError('malformed configure message')
      pool?.configure(m.config)
      return
    case 'stop':
      void stop('asked to stop')
      return
    default:
      ownerMessage(rootOwner, message, rootReplies)
  }
}

function start(config: PoolConfig): void {
  for (const removed of sweepStaleDirs()) log.debug(`removed the directory of a forkserver that was killed: ${removed}`)
  dir = createSocketDir()
  pool = new Pool({ config, env: process.env, cwd: process.cwd(), dir: dir.path, log, changed: reportPool })
  const socketPath = dir.socketPath
  listener = createServer(onConnection)
  let listening = false
  listener.on('error', (error) => {
    // Once listening, an error is a failed accept (EMFILE, ENFILE): that one client is refused, the forkserver carries on.
    if (listening) return void log.warn('could not accept a connection:', error.message)
    fatal(`cannot listen at ${socketPath}: ${error.message}`)
  })
  listener.listen(socketPath, () => {
    listening = true
    sendControl({ op: 'listening', address: socketPath })
    reportPool()
  })
}

/** Tell the root why this forkserver cannot serve, and stop. */
function fatal(message: string): void {
  sendControl({ op: 'fatal', message })
  void stop(message, 1)
}

/** Remove the socket directory first (nothing may connect any more), then end every child, then exit. */
async function stop(reason: string, code = 0): Promise<void> {
  if (stopping) return
  stopping = true
  log.debug(`stopping: ${reason}`)
  listener?.close()
  if (dir) removeSocketDir(dir.path)
  await pool?.stop()
  setTimeout(() => process.exit(code), FLUSH_BOUND).unref()
  if (control.destroyed || !control.writable) process.exit(code)
  control.end(() => process.exit(code))
}

const reader = new MessageReader()
control.on('data', (chunk: Buffer) => {
  try {
    for (const message of reader.push(chunk)) onControlMessage(message)
  } catch (error) {
    log.error(`the root's control channel broke the protocol: ${(error as Error).message}`)
    void stop('protocol error', 1)
  }
})
// EOF on the control channel: the root is gone, whether it exited or was killed.
control.on('end', () => void stop('the root exited'))
control.on('close', () => void stop('the root exited'))
control.on('error', () => void stop('the root exited'))

// Ctrl-C reaches the whole process group: the root's cancel cascade, and then its exit, end the forkserver.
process.on('SIGINT', () => log.debug('SIGINT ignored: the root decides'))
process.on('SIGTERM', () => void stop('SIGTERM'))
process.on('SIGHUP', () => void stop('SIGHUP'))
process.on('uncaughtException', (error) => {
  log.error('uncaught:', error)
  void stop('uncaught exception', 1)
})
