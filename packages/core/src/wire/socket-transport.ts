/** A {@link Transport} over any byte-stream duplex (a pipe, a socketpair, a Unix socket). */

import type { Duplex } from 'node:stream'
import type { Transport, TransportSink } from '../shared/contracts.js'
import { DEFAULT_MAX_FRAME_SIZE, FrameDecoder, FrameWriter } from './frames.js'

/** Options of {@link socketTransport}. */
export interface SocketTransportOptions {
  /** The largest frame accepted from the peer. @default 64 MiB */
  readonly maxFrameSize?: number
}

/**
 * Carry length-prefixed frames over a byte stream. Frames sent in one tick are
 * written together. A malformed length prefix destroys the stream and closes
 * the transport with a `ProtocolError`.
 */
export function socketTransport(stream: Duplex, options: SocketTransportOptions = {}): Transport {
  const decoder = new FrameDecoder(options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE)
  let closed = false
  let sink: TransportSink | undefined
  const writer = new FrameWriter((data) => {
    if (!stream.destroyed && stream.writable) stream.write(data)
  })

  const finish = (error?: Error): void => {
    if (closed) return
    closed = true
    sink?.close(error)
  }

  return {
    send(frame) {
      if (!closed) writer.push(frame)
    },
    start(target) {
      sink = target
      stream.on('data', (chunk: Buffer) => {
        if (closed) return
        try {
          decoder.push(chunk, (frame) => {
            if (!closed) target.frame(frame)
          })
        } catch (error) {
          stream.destroy()
          finish(error as Error)
        }
      })
      stream.on('error', (error) => finish(error))
      stream.on('close', () => finish())
      stream.on('end', () => {
        finish()
        // The peer waits for this side's end before it exits (see exitAfterFlush); a runtime that keeps a socket half
        // open after its peer's end would hold it to its bound.
        writer.flush()
        stream.end()
      })
    },
    close() {
      if (closed) return
      writer.flush()
      closed = true
      stream.end()
      sink?.close()
    },
  }
}

/** A transport that is closed from the start: for a child whose channel could not be made (its spawn failed). */
export function closedTransport(): Transport {
  return {
    send() {},
    start(sink) {
      queueMicrotask(() => sink.close())
    },
    close() {},
  }
}
