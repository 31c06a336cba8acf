/**
 * Runs on the remote host, on Node: how a remote actor's two threads read the
 * session's input. The main thread reads it while the watchdog thread boots
 * ({@link readUntilWatchdog}), so the actor boots and serves its first calls
 * without waiting for a thread to start; the watchdog then reads it, until
 * it has a link of its own and the main thread reads it for good
 * ({@link readChannel}, which either thread can stop at once).
 */

import { readSync } from 'node:fs'
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net'
import { FrameDecoder } from '@harrow/core/backend'
import { readAsMain, type ChannelOwner } from './channel-owner.js'

/** How long the main thread waits between reads that found nothing, in ms: only until the watchdog is up (tens of ms). */
const POLL_INTERVAL = 1

/** The most one read takes. */
const READ_BYTES = 64 * 1024

// Sockets held for the life of the process, neither reading nor closed: closing one would close the descriptor the
// watchdog reads.
const adopted: Socket[] = []

/** What {@link readChannel} reports. */
export interface InputEvents {
  /** A chunk of input, a copy the caller may keep. */
  data(chunk: Buffer): void
  /** The input ended (EOF, or a read failed); nothing more is read here. */
  end(error?: Error): void
}

/** A channel read by {@link readChannel}. */
export interface ChannelReader {
  /** Read nothing more, from now on (synchronously: the next read is the other thread's). The descriptor stays open. */
  stop(): void
}

/**
 * Read `fd` on this thread through its event loop, until `stop()`. Node's
 * own runtime only (see {@link readUntilWatchdog}).
 */
export function readChannel(fd: number, events: InputEvents): ChannelReader {
  let done = false
  const finish = (error?: Error): void => {
    if (done) return
    done = true
    events.end(error)
  }
  // Reads into one buffer, handed over by callback: no stream buffers data the event loop has read, and pause() stops
  // the descriptor's reads at once (a plain socket reads on up to its high-water mark).
  const buffer = Buffer.allocUnsafe(READ_BYTES)
  // `onread` is Node's constructor option too (net.js reads it there, as for connect()); @types/node lists it for connect() only.
  const options: SocketConstructorOpts & { onread: OnReadOpts } = {
    fd,
    readable: true,
    writable: false,
    onread: {
      buffer,
      callback: (bytes: number) => {
        events.data(Buffer.from(buffer.subarray(0, bytes)))
        return true
      },
    },
  }
  const socket = new Socket(options)
  socket.on('end', () => finish())
  socket.on('error', (error) => finish(error))
  return {
    stop() {
      done = true
      socket.pause()
      adopted.push(socket)
    },
  }
}

/** What {@link readUntilWatchdog} reports. */
export interface BootInputEvents extends InputEvents {
  /**
   * The watchdog has the channel; `pending` is what was read here of a frame
   * that has not fully arrived (where the watchdog's own frame decoder goes
   * on), `undefined` when what arrived was not frames.
   */
  handedOver(pending: Buffer | undefined): void
}

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
