/**
 * Runs in a worker thread of each remote actor, on the remote host: it reads
 * the session's input (the parent's frames) and hands it to the actor's main
 * thread, so that a lost parent, and the parent's terminate and kill, reach
 * the process even while the actor's JavaScript is wedged. It sends itself
 * the signal a signal frame asks for. At EOF (the parent or its ssh client died) or after a silence
 * longer than the heartbeat timeout (a partition, where no EOF arrives) it
 * tells the main thread, which cancels its subtree and exits; if the process
 * still runs `grace` ms later, this thread kills it.
 */

import { parentPort, workerData } from 'node:worker_threads'
import { FrameDecoder, inheritedChannel } from '@harrow/core/backend'
import { frameSignal } from './control-frames.js'

/** What the actor's main thread starts this thread with. */
export interface WatchdogData {
  /** The fd the parent's frames arrive on. */
  readonly fd: number
  /** A silence longer than this, in ms, is a lost channel. */
  readonly heartbeatTimeout: number
  /** How long the main thread gets to leave by itself once the channel is lost, in ms. */
  readonly grace: number
  /** The channel's largest frame, as the actor's own decoder enforces it. */
  readonly maxFrameSize: number
}

/** What this thread posts: a chunk of input, or why the channel is lost (`eof` for an orderly end). */
export type WatchdogMessage = Uint8Array | { readonly lost: 'eof' | 'silence' }

const port = parentPort
if (port === null) throw new Error('channel-watchdog runs in a worker thread')
const { fd, heartbeatTimeout, grace, maxFrameSize } = workerData as WatchdogData

let lost = false
let heard = true
const input = inheritedChannel(fd, { writable: false })
// Frames are read here only to find signal frames; the actor decodes them all again. After a framing error (which the
// actor reports to its parent) there is nothing left to find.
let frames: FrameDecoder | undefined = new FrameDecoder(maxFrameSize)

function channelLost(why: 'eof' | 'silence'): void {
  if (lost) return
  lost = true
  clearInterval(silence)
  input.destroy()
  port?.postMessage({ lost: why } satisfies WatchdogMessage)
  // The main thread leaves within ORPHAN_TERMINATE_AFTER unless it is wedged: then nothing but a kill ends it.
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), grace)
}

input.on('data', (chunk: Buffer) => {
  heard = true
  // Copied, not transferred: a socket's chunks may share their memory.
  port.postMessage(chunk satisfies WatchdogMessage)
  try {
    frames?.push(chunk, (frame) => {
      const signal = frameSignal(frame)
      if (signal !== undefined) process.kill(process.pid, signal)
    })
  } catch {
    frames = undefined
  }
})
input.on('end', () => channelLost('eof'))
input.on('close', () => channelLost('eof'))
input.on('error', () => channelLost('eof'))

// Checked every half timeout: a silence of `heartbeatTimeout` is always noticed, one shorter than half of it never.
const silence = setInterval(() => {
  if (!heard) channelLost('silence')
  heard = false
}, heartbeatTimeout / 2)
