/**
 * The parent's link to a remote actor's watchdog thread, so that the actor's
 * main thread reads its channel itself instead of through that thread (a
 * thread hop on every message). The watchdog listens on a unix socket in a
 * private directory on its host and says where on stderr; the parent asks
 * the actor's ssh connection to forward a local socket there
 * (`ssh -O forward -L local:remote`, no new handshake), connects, and waits
 * for the watchdog's greeting. From then on heartbeats and signals go this
 * way. The forwarded channel shares the actor's ssh connection: a partition
 * silences both, and a parent that dies closes it.
 */

import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { socketTransport } from '@harrow/core/backend'
import { signalFrame, type ChannelSignal } from './control-frames.js'
import { LINK_HELLO } from './spawn-config.js'

/** An empty frame: a heartbeat. */
const HEARTBEAT = new Uint8Array(0)

/** The watchdog sends nothing after its greeting: any frame from it is an error. */
const LINK_MAX_FRAME = 0

/** A made link: heartbeats every interval until it closes, and signals. */
export interface WatchdogLink {
  /** Send `signal` to the actor's process through its watchdog; `false` once the link is closed. */
  signal(signal: ChannelSignal): boolean
  /** Close the link (the actor's watchdog then takes it as a lost parent). */
  close(): void
}

/** What {@link linkWatchdog} needs. */
export interface LinkRequest {
  /** `ssh`, its options and the host, over the actor's control socket: `-O` requests are put before the host. */
  readonly control: readonly string[]
  /** The watchdog's socket on the remote host. */
  readonly remotePath: string
  /** Where the forward listens locally, in a private directory. */
  readonly localPath: string
  /** How often a heartbeat goes, in ms. */
  readonly interval: number
  /** How long each step (ssh's forward, then the watchdog's greeting) may take, in ms. */
  readonly timeout: number
  /**
   * Whether the connection outlives the actor (a shared one), so its
   * listener must be cancelled once used; an actor's own master takes its
   * listener with it when it exits.
   */
  readonly shared: boolean
}

/** Why a link could not be made: the actor's watchdog then reads the channel instead. */
export class WatchdogLinkError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'WatchdogLinkError'
  }
}

// `-L` splits its argument at ':' and whitespace would not survive ssh's own parsing of it.
const FORWARDABLE = /^[^:\s]+$/

/** Run one `ssh -O <request> -L local:remote` on the control socket; resolves with ssh's stderr on failure. */
function controlRequest(request: LinkRequest, command: 'forward' | 'cancel'): Promise<string | undefined> {
  const args = [...request.control]
  const host = args.pop() as string
  const [file, ...rest] = args as [string, ...string[]]
  const child = spawn(file, [...rest, '-O', command, '-L', `${request.localPath}:${request.remotePath}`, host], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text))
  const bound = setTimeout(() => child.kill('SIGKILL'), request.timeout)
  return new Promise((resolve) => {
    child.once('error', (error) => resolve(error.message))
    child.once('close', (code) => {
      clearTimeout(bound)
      resolve(code === 0 ? undefined : stderr.trim() || `ssh -O ${command} exited with ${String(code)}`)
    })
  })
}

/** Connect to the forward and wait for the watchdog's greeting: ssh accepts locally even when the server refuses the forward. */
function greeted(request: LinkRequest): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(request.localPath)
    const settle = (reason?: string, cause?: Error): void => {
      clearTimeout(bound)
      socket.off('error', onError).off('close', onClose).off('data', onData)
      if (reason === undefined) return resolve(socket)
      socket.destroy()
      reject(new WatchdogLinkError(reason, cause === undefined ? undefined : { cause }))
    }
    const onError = (error: Error): void => settle(`cannot reach the forward: ${error.message}`, error)
    const onClose = (): void => settle('the ssh server closed the forward (its AllowStreamLocalForwarding may be off)')
    const onData = (chunk: Buffer): void =>
      settle(chunk.length === 1 && chunk[0] === LINK_HELLO ? undefined : 'what answered at the forward is not the watchdog')
    const bound = setTimeout(() => settle(`no greeting from the watchdog within ${request.timeout} ms`), request.timeout)
    socket.on('error', onError).on('close', onClose).on('data', onData)
  })
}

/**
 * Make the link.
 *
 * @throws WatchdogLinkError (as a rejection) when the watchdog could not
 *   listen, a path cannot be forwarded, ssh refuses the forward, or no
 *   greeting comes within `timeout`.
 */
export async function linkWatchdog(request: LinkRequest): Promise<WatchdogLink> {
  if (request.remotePath === '') throw new WatchdogLinkError('the watchdog could not listen on its host')
  if (!FORWARDABLE.test(request.remotePath) || !FORWARDABLE.test(request.localPath)) {
    throw new WatchdogLinkError(`cannot forward to ${request.remotePath}: ssh's -L takes no path with ':' or whitespace`)
  }
  const refused = await controlRequest(request, 'forward')
  if (refused !== undefined) throw new WatchdogLinkError(`ssh did not forward to the watchdog: ${refused}`)
  let socket: Socket
  try {
    socket = await greeted(request)
  } finally {
    // The made channel outlives the listener; a shared connection would otherwise keep one listener per actor.
    rmSync(request.localPath, { force: true })
    if (request.shared) void controlRequest(request, 'cancel')
  }
  let open = true
  const frames = socketTransport(socket, { maxFrameSize: LINK_MAX_FRAME })
  const timer = setInterval(() => frames.send(HEARTBEAT), request.interval)
  const closed = (): void => {
    open = false
    clearInterval(timer)
  }
  // Heartbeats alone must not keep the parent alive. What goes wrong on the link ends it: the watchdog takes that as a
  // lost parent, and the session's end says the rest.
  timer.unref()
  socket.unref()
  frames.start({ frame: () => {}, close: closed })
  return {
    signal(signal) {
      if (!open) return false
      frames.send(signalFrame(signal))
      return true
    },
    close() {
      closed()
      frames.close()
      socket.destroy()
    },
  }
}
