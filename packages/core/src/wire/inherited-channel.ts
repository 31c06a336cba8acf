/** Opening a channel that a parent passed down as an extra stdio pipe (fd 3, ...), on every runtime. */

import { createReadStream, createWriteStream, type ReadStream, type WriteStream } from 'node:fs'
import { Socket } from 'node:net'
import { Duplex } from 'node:stream'

/** Options of {@link inheritedChannel}. */
export interface InheritedChannelOptions {
  /** Whether this side reads from the channel. @default true */
  readonly readable?: boolean
  /** Whether this side writes to the channel. @default true */
  readonly writable?: boolean
}

/** An inherited channel: a byte-stream duplex that can be told not to hold the process open. */
export type InheritedChannel = Duplex & {
  /** Let the process exit while the channel is open, where the runtime can (a no-op on the `fs` fallback). */
  unref(): void
}

/**
 * Open the socketpair inherited as file descriptor `fd` as a byte stream.
 *
 * Node and Deno adopt the descriptor into a `net.Socket`. Bun (1.4) does not:
 * its socket stays `pending` and never reads, so the child would see nothing
 * and exit 0 at boot. Whether the socket adopted the descriptor is checked
 * right here, on the socket itself (not by the runtime's name), and only when
 * it did not are the descriptor's bytes read and written through `fs`
 * streams, which every runtime supports on a socket.
 */
export function inheritedChannel(fd: number, options: InheritedChannelOptions = {}): InheritedChannel {
  const readable = options.readable ?? true
  const writable = options.writable ?? true
  const socket = new Socket({ fd, readable, writable })
  // Bun's socket stays pending on the descriptor yet writes through it (checked on Bun 1.4, where `fs` writes to an
  // ssh session's socket fail with EINVAL): only a channel that reads needs the fallback.
  if (!socket.pending || !readable) return socket
  // Destroying a socket that never adopted the descriptor leaves the descriptor open (checked on Bun 1.4).
  socket.destroy()
  return new FdChannel(fd, readable, writable)
}

/**
 * A duplex over a descriptor through `fs` streams. The descriptor is not
 * closed by this stream (autoClose off: a read may still be pending on it);
 * it closes when the process exits, which is what ends every child's channel.
 */
class FdChannel extends Duplex {
  readonly #reader: ReadStream | undefined
  readonly #writer: WriteStream | undefined

  constructor(fd: number, readable: boolean, writable: boolean) {
    super({ allowHalfOpen: !readable, ...(readable ? {} : { readable: false }), ...(writable ? {} : { writable: false }) })
    this.#reader = readable ? createReadStream('', { fd, autoClose: false }) : undefined
    this.#writer = writable ? createWriteStream('', { fd, autoClose: false }) : undefined
    this.#reader?.on('data', (chunk) => {
      if (!this.push(chunk)) this.#reader?.pause()
    })
    this.#reader?.on('end', () => this.push(null))
    this.#reader?.on('error', (error) => this.destroy(error))
    this.#writer?.on('error', (error) => this.destroy(error))
  }

  /** `fs` streams cannot be unreferenced; the process's own exit ends the channel. */
  unref(): void {}

  override _read(): void {
    this.#reader?.resume()
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#writer) this.#writer.write(chunk, callback)
    else callback(new Error('this channel is read-only'))
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.#writer) this.#writer.end(callback)
    else callback()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#reader?.destroy()
    this.#writer?.destroy()
    callback(error)
  }
}
