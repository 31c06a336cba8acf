/** A {@link Transport} over a `MessagePort`: the frames of one tick travel as one transferred ArrayBuffer. */

import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads'
import { DEFAULT_MAX_FRAME_SIZE, ProtocolError, type Transport, type TransportSink } from '@harrow/core'

/** Bytes of the big-endian length before each frame in a batch. */
const LENGTH_BYTES = 4

/** Options of {@link portTransport}. */
export interface PortTransportOptions {
  /** The largest frame accepted from the peer, in bytes. @default 64 MiB */
  readonly maxFrameSize?: number
  /**
   * Settles when the peer is gone for good (its worker exited). What it
   * posted is still delivered, then the transport closes. The port's own
   * `close` event normally comes first; this is the backstop.
   */
  readonly peerGone?: Promise<unknown>
}

/**
 * Carry frames over `port`. Frames sent in one tick are copied into one
 * fresh ArrayBuffer (`[u32 length][frame]...`) and *transferred*, not cloned:
 * msgpack bytes beat structured clone for harrow's message mix and the
 * transfer avoids a second copy (see the package README for the figures).
 *
 * A received batch that is not an ArrayBuffer, is truncated, or holds a
 * frame above `maxFrameSize` closes the transport with a `ProtocolError`
 * before any of its frames is decoded. The transport closes when either side
 * closes the port or when `peerGone` settles.
 */
export function portTransport(port: MessagePort, options: PortTransportOptions = {}): Transport {
  const maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE
  let sink: TransportSink | undefined
  let closed = false
  let pending: Uint8Array[] = []
  let pendingBytes = 0
  let scheduled = false

  const flush = (): void => {
    scheduled = false
    if (pending.length === 0 || closed) return
    const batch = new Uint8Array(pendingBytes)
    const view = new DataView(batch.buffer)
    let offset = 0
    for (const frame of pending) {
      view.setUint32(offset, frame.byteLength)
      batch.set(frame, offset + LENGTH_BYTES)
      offset += LENGTH_BYTES + frame.byteLength
    }
    pending = []
    pendingBytes = 0
    port.postMessage(batch.buffer, [batch.buffer])
  }

  const finish = (error?: Error): void => {
    if (closed) return
    closed = true
    pending = []
    port.close()
    sink?.close(error)
  }

  const receive = (data: unknown): void => {
    if (closed || !sink) return
    if (!(data instanceof ArrayBuffer)) {
      finish(new ProtocolError('malformed', `expected a batch of frames (an ArrayBuffer) on the actor channel, got ${describe(data)}`))
      return
    }
    const view = new DataView(data)
    const bytes = new Uint8Array(data)
    // Check the whole batch first: an oversized or truncated frame refuses all of it, undecoded.
    for (let offset = 0; offset < bytes.byteLength; ) {
      if (bytes.byteLength - offset < LENGTH_BYTES) return finish(new ProtocolError('malformed', 'a truncated frame length on the actor channel'))
      const length = view.getUint32(offset)
      if (length > maxFrameSize) return finish(new ProtocolError('oversized', `frame of ${length} bytes exceeds the maximum of ${maxFrameSize}`))
      offset += LENGTH_BYTES + length
      if (offset > bytes.byteLength) return finish(new ProtocolError('malformed', 'a truncated frame on the actor channel'))
    }
    for (let offset = 0; offset < bytes.byteLength && !closed; ) {
      const length = view.getUint32(offset)
      // A Buffer view, not a plain Uint8Array: msgpackr decodes `bin` as its input's type, and socket frames are Buffers.
      sink.frame(Buffer.from(data, offset + LENGTH_BYTES, length))
      offset += LENGTH_BYTES + length
    }
  }

  return {
    send(frame) {
      if (closed) return
      pending.push(frame)
      pendingBytes += LENGTH_BYTES + frame.byteLength
      if (!scheduled) {
        scheduled = true
        process.nextTick(flush)
      }
    },
    start(target) {
      sink = target
      port.on('message', receive)
      port.once('close', () => finish())
      void options.peerGone?.finally(() => {
        // Whatever the peer posted before it went is still queued on our side: deliver it, then close.
        for (let message = receiveMessageOnPort(port); message && !closed; message = receiveMessageOnPort(port)) receive(message.message)
        finish()
      })
    },
    close() {
      if (closed) return
      flush()
      finish()
    },
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value !== 'object') return typeof value
  return `an instance of ${(Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name ?? 'an unknown class'}`
}
