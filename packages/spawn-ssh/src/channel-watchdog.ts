/**
 * Runs in a worker thread of each remote actor, on the remote host, so that
 * a lost parent, and the parent's terminate and kill, reach the process even
 * while the actor's JavaScript is wedged (a lost session sends no signal to
 * a command run without a pty).
 *
 * It takes the session's input from the actor's main thread, which reads it
 * only while this thread boots (see channel-owner.ts), and hands it on. Over
 * ssh on Node it also listens for a link of its own (see watchdog-link.ts):
 * once the parent has linked, it gives the channel back to the main thread,
 * which reads it directly from then on, and hears the parent on the link.
 *
 * It sends itself the signal a signal frame asks for. At EOF (the parent or
 * its ssh client died) or after a silence longer than the heartbeat timeout
 * (a partition, where no EOF arrives) it tells the main thread, which cancels
 * its subtree and exits; if the process still runs `grace` ms later, this
 * thread kills it.
 */

import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { dirname, join } from 'node:path'
import { parentPort, workerData } from 'node:worker_threads'
import { FrameDecoder, inheritedChannel, isRunning, socketTempDir } from '@harrow/core/backend'
import { takeAsWatchdog, type ChannelOwner } from './channel-owner.js'
import { readChannel, type ChannelReader } from './channel-readers.js'
import { frameSignal } from './control-frames.js'
import { LINK_HELLO, LINK_LINE } from './spawn-config.js'

/** What the actor's main thread starts this thread with. */
export interface WatchdogData {
  /** The fd the parent's frames arrive on. */
  readonly fd: number
  /** Who reads the fd; this thread takes it as soon as it runs. */
  readonly owner: ChannelOwner
  /** Listen for the parent's own link, and give the channel back to the main thread once linked (Node only). */
  readonly link: boolean
  /** A silence longer than this, in ms, is a lost channel. */
  readonly heartbeatTimeout: number
  /** How long the main thread gets to leave by itself once the channel is lost, in ms. */
  readonly grace: number
  /** The channel's largest frame, as the actor's own decoder enforces it. */
  readonly maxFrameSize: number
}

/**
 * What this thread posts: a chunk of input, why the channel is lost (`eof`
 * for an orderly end), that it acts on signal frames on the channel from now
 * on, or that it reads the channel no more (after its last chunk): the main
 * thread reads it from now on.
 */
export type WatchdogMessage = Uint8Array | { readonly lost: 'eof' | 'silence' } | { readonly watching: true } | { readonly mainReads: true }

/**
 * What the main thread posts: the bytes it read of a frame that has not fully
 * arrived when this thread took the channel (`undefined`: not frames), or
 * that the channel ended while the main thread read it.
 */
export type WatchdogCommand = { readonly pending: Uint8Array | undefined } | { readonly lost: 'eof' }

if (parentPort === null) throw new Error('channel-watchdog runs in a worker thread')
const port = parentPort
const { fd, owner, link, heartbeatTimeout, grace, maxFrameSize } = workerData as WatchdogData

let lost = false
let heard = true
// Frames are read here only to find signal frames; the actor decodes them all again. Taken from the main thread, the
// channel is scanned from where its reads left a frame: until it says where, what arrives is kept (up to one frame's
// worth, past which signals go by ssh; the parent sends them here only once this thread says it is watching).
let frames: FrameDecoder | undefined
let unscanned: Buffer[] | undefined
let unscannedBytes = 0
let reader: ChannelReader | undefined
// The listening socket, and the directory made for it alone (removed with it) if not the shared one; then the link.
let listener: { readonly server: Server; readonly path: string; readonly dir: string | undefined } | undefined
let linked: Socket | undefined

function channelLost(why: 'eof' | 'silence'): void {
  if (lost) return
  lost = true
  clearInterval(silence)
  reader?.stop()
  linked?.destroy()
  stopListening()
  port.postMessage({ lost: why } satisfies WatchdogMessage)
  // The main thread leaves within ORPHAN_TERMINATE_AFTER unless it is wedged: then nothing but a kill ends it.
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), grace)
}

/** Act on the signal frames in `chunk`, a piece of the stream `decoder` follows; `undefined` once it is not frames. */
function scan(decoder: FrameDecoder | undefined, chunk: Buffer): FrameDecoder | undefined {
  try {
    decoder?.push(chunk, (frame) => {
      const signal = frameSignal(frame)
      if (signal !== undefined) process.kill(process.pid, signal)
    })
    return decoder
  } catch {
    // After a framing error (which the actor reports to its parent) there is nothing left to find.
    return undefined
  }
}

function onChannelData(chunk: Buffer): void {
  heard = true
  port.postMessage(chunk satisfies WatchdogMessage)
  if (unscanned === undefined) {
    frames = scan(frames, chunk)
    return
  }
  unscanned.push(chunk)
  unscannedBytes += chunk.length
  if (unscannedBytes > maxFrameSize) unscanned = undefined
}

/** Read the channel; `fromMain`: the main thread read it first and says where it left a frame. */
function watchChannel(fromMain: boolean): void {
  frames = fromMain ? undefined : new FrameDecoder(maxFrameSize)
  unscanned = fromMain ? [] : undefined
  if (link) {
    // Stoppable at once, for the give-back; its chunks are copies, so they can be posted as they are.
    reader = readChannel(fd, { data: onChannelData, end: () => channelLost('eof') })
  } else {
    // Copied, not transferred: a socket's chunks may share their memory (on Bun this may be an fs stream).
    const input = inheritedChannel(fd, { writable: false })
    input.on('data', onChannelData)
    input.on('end', () => channelLost('eof'))
    input.on('close', () => channelLost('eof'))
    input.on('error', () => channelLost('eof'))
    reader = { stop: () => input.destroy() }
  }
  if (!fromMain) port.postMessage({ watching: true } satisfies WatchdogMessage)
}

function alignAt(pending: Uint8Array | undefined): void {
  const kept = unscanned
  unscanned = undefined
  if (kept === undefined || pending === undefined) return
  frames = scan(new FrameDecoder(maxFrameSize), Buffer.from(pending))
  for (const chunk of kept) frames = scan(frames, chunk)
  if (frames !== undefined) port.postMessage({ watching: true } satisfies WatchdogMessage)
}

function stopListening(): void {
  if (listener === undefined) return
  listener.server.close()
  // The socket file goes as soon as it has done its work: a link made, or none wanted.
  rmSync(listener.dir ?? listener.path, { recursive: true, force: true })
  listener = undefined
}

/**
 * The directory link sockets go in: `hssh-w-<uid>` in the temporary
 * directory, private (0700, this user's, not a symlink), shared by this
 * user's actors on this host so that the next one sweeps what an actor
 * killed before its link left (`<pid>.sock` of a pid that is gone). One that
 * someone else made, or that is not private, is not used: a fresh directory
 * then, removed with its socket.
 */
function linkDirectory(): { readonly dir: string; readonly own: boolean } {
  const uid = process.getuid?.() ?? 0
  // Under /tmp when TMPDIR is too deep for `/hssh-w-<uid>/<pid>.sock` (a 10-digit uid, a 7-digit pid).
  const temp = socketTempDir('/hssh-w-4294967295/4194304.sock'.length)
  const dir = join(temp, `hssh-w-${uid}`)
  const fresh = (): { dir: string; own: boolean } => ({ dir: mkdtempSync(join(temp, 'hssh-w-')), own: true })
  try {
    mkdirSync(dir, { mode: 0o700 })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return fresh()
  }
  const stat = lstatSync(dir)
  if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o077) !== 0) return fresh()
  for (const name of readdirSync(dir)) {
    const pid = Number(/^(\d+)\.sock$/.exec(name)?.[1])
    if (Number.isInteger(pid) && pid !== process.pid && !isRunning(pid)) rmSync(join(dir, name), { force: true })
  }
  return { dir, own: false }
}

/** The parent linked: hear it there, and give the channel back to the main thread. */
function linkedBy(socket: Socket): void {
  linked = socket
  stopListening()
  socket.write(Buffer.of(LINK_HELLO))
  let linkFrames: FrameDecoder | undefined = new FrameDecoder(maxFrameSize)
  socket.on('data', (chunk: Buffer) => {
    heard = true
    linkFrames = scan(linkFrames, chunk)
  })
  const gone = (): void => channelLost('eof')
  socket.on('end', gone)
  socket.on('close', gone)
  socket.on('error', gone)
  // After the last chunk posted: the main thread reads the rest of the stream from where this thread stopped. A signal
  // frame the parent sent on the channel before it knew of the link then reaches the main thread, which acts on it.
  reader?.stop()
  reader = undefined
  port.postMessage({ mainReads: true } satisfies WatchdogMessage)
}

/** Listen on a socket in a private directory, and tell the parent where (on stderr: the main thread may be wedged). */
function listenForLink(): void {
  let path: string
  let own: boolean
  try {
    const where = linkDirectory()
    path = join(where.dir, `${process.pid}.sock`)
    own = where.own
  } catch {
    // No directory (a full or read-only temporary directory): this thread reads the channel for good.
    return
  }
  const server = createServer((socket) => {
    if (linked !== undefined || lost) socket.destroy()
    else linkedBy(socket)
  })
  listener = { server, path, dir: own ? dirname(path) : undefined }
  // No socket here (a path too long): this thread reads the channel for good, and the parent, told nothing, never links.
  server.on('error', stopListening)
  server.listen(path, () => writeSync(2, `${LINK_LINE}${path}\n`))
}

port.on('message', (command: WatchdogCommand) => {
  if ('pending' in command) alignAt(command.pending)
  else channelLost('eof')
})

watchChannel(takeAsWatchdog(owner))
if (link) listenForLink()

// Checked every half timeout: a silence of `heartbeatTimeout` is always noticed, one shorter than half of it never.
const silence = setInterval(() => {
  if (!heard) channelLost('silence')
  heard = false
}, heartbeatTimeout / 2)
