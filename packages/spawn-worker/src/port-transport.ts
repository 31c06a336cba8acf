/** A {@link Transport} over a `MessagePort`: the frames of one tick travel as one batch, a short string or a transferred ArrayBuffer. */

import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads'
// From the child's entry: this transport runs in every worker actor, which should load no more of core than that.
import { DEFAULT_MAX_FRAME_SIZE, EAGER_FLUSH_BYTES, EAGER_FLUSH_FRAMES, ProtocolError, type Transport, type TransportSink } from '@harrow/core/child'

/** Bytes of the big-endian length before each frame in a batch. */
const LENGTH_BYTES = 4

/**
 * Batches up to this many bytes travel as a string (one latin1 character per byte, after {@link STRING_BATCH}),
 * copied rather than transferred: a small call's batch then needs no ArrayBuffer of its own (the bytes are put
 * together in Buffer's pool) and posting a short string costs less than detaching and adopting an ArrayBuffer.
 * Bigger batches are transferred, which copies nothing.
 */
const STRING_BATCH_LIMIT = 1024

/** The first character of a string batch, so that no other string passes for one. */
const STRING_BATCH = '\u0001'

/**
 * The first character of a string that carries exactly one frame and no length: the common case of a call or its
 * result alone in its tick, which then needs no batch buffer on either side.
 */
const STRING_FRAME = '\u0002'

function latin1(frame: Uint8Array): string {
  return (Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)).toString('latin1')
}

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
 * Carry frames over `port`. Frames sent in one tick (at most
 * core's `EAGER_FLUSH_FRAMES` of them, or `EAGER_FLUSH_BYTES`) are copied into one batch
 * (`[u32 length][frame]...`): up to {@link STRING_BATCH_LIMIT} bytes it is
 * posted as a string of one latin1 character per byte after a marker (a lone
 * frame without its length, after a marker of its own), above that as a fresh
 * ArrayBuffer that is *transferred*, not cloned. msgpack bytes
 * beat structured clone for harrow's message mix (see the package README for
 * the figures).
 *
 * A received batch that is neither, is truncated, or holds a frame above
 * `maxFrameSize` closes the transport with a `ProtocolError` before any of
 * its frames is decoded. The transport closes when either side closes the
 * port or when `peerGone` settles.
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
    if (pendingBytes <= STRING_BATCH_LIMIT) {
      const [only] = pending
      if (pending.length === 1 && only) {
        pending = []
        pendingBytes = 0
        port.postMessage(STRING_FRAME + latin1(only))
        return
      }
      const batch = Buffer.allocUnsafe(pendingBytes)
      let offset = 0
      for (const frame of pending) {
        batch.writeUInt32BE(frame.byteLength, offset)
        batch.set(frame, offset + LENGTH_BYTES)
        offset += LENGTH_BYTES + frame.byteLength
      }
      pending = []
      pendingBytes = 0
      port.postMessage(STRING_BATCH + batch.toString('latin1', 0, offset))
      return
    }
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
    if (typeof data === 'string' && data.startsWith(STRING_FRAME)) {
      const length = data.length - STRING_FRAME.length
      if (length > maxFrameSize) return finish(new ProtocolError('oversized', `frame of ${length} bytes exceeds the maximum of ${maxFrameSize}`))
      sink.frame(Buffer.from(data.slice(STRING_FRAME.length), 'latin1'))
      return
    }
    let bytes: Buffer
    if (data instanceof ArrayBuffer) bytes = Buffer.from(data)
    else if (typeof data === 'string' && data.startsWith(STRING_BATCH)) bytes = Buffer.from(data.slice(STRING_BATCH.length), 'latin1')
    else {
      finish(new ProtocolError('malformed', `expected a batch of frames on the actor channel, got ${describe(data)}`))
      return
    }
    const end = bytes.byteLength
    // Check the whole batch first: an oversized or truncated frame refuses all of it, undecoded.
    for (let offset = 0; offset < end;) {
      if (end - offset < LENGTH_BYTES) return finish(new ProtocolError('malformed', 'a truncated frame length on the actor channel'))
      const length = bytes.readUInt32BE(offset)
      if (length > maxFrameSize) return finish(new ProtocolError('oversized', `frame of ${length} bytes exceeds the maximum of ${maxFrameSize}`))
      offset += LENGTH_BYTES + length
      if (offset > end) return finish(new ProtocolError('malformed', 'a truncated frame on the actor channel'))
    }
    for (let offset = 0; offset < end && !closed;) {
      const length = bytes.readUInt32BE(offset)
      // Buffers, not plain Uint8Arrays: msgpackr decodes `bin` as its input's type, and socket frames are Buffers.
      sink.frame(bytes.subarray(offset + LENGTH_BYTES, offset + LENGTH_BYTES + length))
      offset += LENGTH_BYTES + length
    }
  }

  return {
    send(frame) {
      if (closed) return
      pending.push(frame)
      pendingBytes += LENGTH_BYTES + frame.byteLength
      if (pending.length >= EAGER_FLUSH_FRAMES || pendingBytes >= EAGER_FLUSH_BYTES) {
        flush()
        return
      }
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
