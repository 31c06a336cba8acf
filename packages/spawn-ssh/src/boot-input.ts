/**
 * Runs on the remote host, in the actor's main thread: reads the session's
 * input while the channel watchdog thread boots, so the actor boots and
 * serves its first calls without waiting for a thread to start. The
 * descriptor is made non-blocking and polled, one read at a time under the
 * {@link ChannelOwner} lock, until the watchdog has taken it.
 */

import { readSync } from 'node:fs'
import { Socket } from 'node:net'
import { FrameDecoder } from '@harrow/core/backend'
import { readAsMain, type ChannelOwner } from './channel-owner.js'

/** How long the main thread waits between reads that found nothing, in ms: only until the watchdog is up (tens of ms). */
const POLL_INTERVAL = 1

/** The most one read takes. */
const READ_BYTES = 64 * 1024

/** What {@link readUntilWatchdog} reports. */
export interface BootInputEvents {
  /** A chunk of input, a copy the caller may keep. */
  data(chunk: Buffer): void
  /** The input ended (EOF, or a read failed) before the watchdog took it; nothing more is read here. */
  end(error?: Error): void
  /**
   * The watchdog has the channel; `pending` is what was read here of a frame
   * that has not fully arrived (where the watchdog's own frame decoder goes
   * on), `undefined` when what arrived was not frames.
   */
  handedOver(pending: Buffer | undefined): void
}

// Held for the life of the process: the socket only made the descriptor non-blocking, and closing it would close the
// descriptor the watchdog reads.
const adopted: Socket[] = []

/**
 * Read `fd` on this thread until the watchdog takes it (see {@link ChannelOwner}).
 * Node's own runtime only: elsewhere a socket may not adopt the descriptor,
 * which then stays blocking (the caller lets the watchdog read from the start).
 */
export function readUntilWatchdog(fd: number, owner: ChannelOwner, maxFrameSize: number, events: BootInputEvents): void {
  // Adopting the descriptor makes it non-blocking (libuv's pipe open); neither reading nor writing, the socket does nothing else.
  adopted.push(new Socket({ fd, readable: false, writable: false }))
  let frames: FrameDecoder | undefined = new FrameDecoder(maxFrameSize)
  const buffer = Buffer.allocUnsafe(READ_BYTES)

  const poll = (): void => {
    let got: number | undefined
    try {
      got = readAsMain(owner, () => readSync(fd, buffer, 0, buffer.length, null))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return events.end(error as Error)
      setTimeout(poll, POLL_INTERVAL)
      return
    }
    if (got === undefined) return events.handedOver(frames?.pending())
    if (got === 0) return events.end()
    const chunk = Buffer.from(buffer.subarray(0, got))
    try {
      // Only to know where frames end when the watchdog takes over; the actor's transport decodes them for itself.
      frames?.push(chunk, () => {})
    } catch {
      // Not frames: the transport reports it; the watchdog then finds no signal frames to act on.
      frames = undefined
    }
    events.data(chunk)
    setImmediate(poll)
  }
  poll()
}
