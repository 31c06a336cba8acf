/**
 * Runs in a worker thread of each remote actor, on the remote host: it takes
 * the session's input (the parent's frames) from the actor's main thread,
 * which reads it only while this thread boots (see channel-owner.ts), and
 * hands it on, so that a lost parent, and the parent's terminate and kill,
 * reach the process even while the actor's JavaScript is wedged. It sends
 * itself the signal a signal frame asks for. At EOF (the parent or its ssh
 * client died) or after a silence longer than the heartbeat timeout (a
 * partition, where no EOF arrives) it tells the main thread, which cancels
 * its subtree and exits; if the process still runs `grace` ms later, this
 * thread kills it.
 */

import { parentPort, workerData } from 'node:worker_threads'
import { FrameDecoder, inheritedChannel } from '@harrow/core/backend'
import { takeAsWatchdog, type ChannelOwner } from './channel-owner.js'
import { frameSignal } from './control-frames.js'

/** What the actor's main thread starts this thread with. */
export interface WatchdogData {
  /** The fd the parent's frames arrive on. */
  readonly fd: number
  /** Who reads the fd; this thread takes it as soon as it runs. */
  readonly owner: ChannelOwner
  /** A silence longer than this, in ms, is a lost channel. */
  readonly heartbeatTimeout: number
  /** How long the main thread gets to leave by itself once the channel is lost, in ms. */
  readonly grace: number
  /** The channel's largest frame, as the actor's own decoder enforces it. */
  readonly maxFrameSize: number
}

/**
 * What this thread posts: a chunk of input, why the channel is lost (`eof`
 * for an orderly end), or that it acts on signal frames from now on.
 */
export type WatchdogMessage = Uint8Array | { readonly lost: 'eof' | 'silence' } | { readonly watching: true }

/**
 * What the main thread posts: the bytes it read of a frame that has not fully
 * arrived when this thread took the channel (`undefined`: not frames), or
 * that the channel ended before this thread took it.
 */
export type WatchdogCommand = { readonly pending: Uint8Array | undefined } | { readonly lost: 'eof' }

if (parentPort === null) throw new Error('channel-watchdog runs in a worker thread')
const port = parentPort
const { fd, owner, heartbeatTimeout, grace, maxFrameSize } = workerData as WatchdogData

let lost = false
let heard = true
const fromMain = takeAsWatchdog(owner)
const input = inheritedChannel(fd, { writable: false })
// Frames are read here only to find signal frames; the actor decodes them all again. Taken from the main thread, they
// are scanned from where its reads left a frame: until it says where, what arrives is kept (up to one frame's worth, past
// which signals go by ssh; the parent sends them here only once this thread says it is watching).
let frames: FrameDecoder | undefined = fromMain ? undefined : new FrameDecoder(maxFrameSize)
let unscanned: Buffer[] | undefined = fromMain ? [] : undefined
let unscannedBytes = 0
if (!fromMain) port.postMessage({ watching: true } satisfies WatchdogMessage)

function channelLost(why: 'eof' | 'silence'): void {
  if (lost) return
  lost = true
  clearInterval(silence)
  input.destroy()
  port.postMessage({ lost: why } satisfies WatchdogMessage)
  // The main thread leaves within ORPHAN_TERMINATE_AFTER unless it is wedged: then nothing but a kill ends it.
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), grace)
}

function scan(chunk: Buffer): void {
  try {
    frames?.push(chunk, (frame) => {
      const signal = frameSignal(frame)
      if (signal !== undefined) process.kill(process.pid, signal)
    })
  } catch {
    // After a framing error (which the actor reports to its parent) there is nothing left to find.
    frames = undefined
  }
}

function alignAt(pending: Uint8Array | undefined): void {
  const kept = unscanned
  unscanned = undefined
  if (kept === undefined || pending === undefined) return
  frames = new FrameDecoder(maxFrameSize)
  scan(Buffer.from(pending))
  for (const chunk of kept) scan(chunk)
  if (frames !== undefined) port.postMessage({ watching: true } satisfies WatchdogMessage)
}

port.on('message', (command: WatchdogCommand) => {
  if ('pending' in command) alignAt(command.pending)
  else channelLost('eof')
})

input.on('data', (chunk: Buffer) => {
  heard = true
  // Copied, not transferred: a socket's chunks may share their memory.
  port.postMessage(chunk satisfies WatchdogMessage)
  if (unscanned === undefined) return scan(chunk)
  unscanned.push(chunk)
  unscannedBytes += chunk.length
  if (unscannedBytes > maxFrameSize) unscanned = undefined
})
input.on('end', () => channelLost('eof'))
input.on('close', () => channelLost('eof'))
input.on('error', () => channelLost('eof'))

// Checked every half timeout: a silence of `heartbeatTimeout` is always noticed, one shorter than half of it never.
const silence = setInterval(() => {
  if (!heard) channelLost('silence')
  heard = false
}, heartbeatTimeout / 2)
