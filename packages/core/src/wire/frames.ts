/** Length-prefixed framing for byte streams: a bounded decoder and a batching writer. */

import { ProtocolError } from '../shared/errors.js'

/** Bytes of the big-endian length prefix before each frame. */
export const FRAME_HEADER_BYTES = 4

/** The largest frame accepted unless configured otherwise: 64 MiB. */
export const DEFAULT_MAX_FRAME_SIZE = 64 * 1024 * 1024

/**
 * Splits a byte stream into frames. A length prefix above `maxFrameSize` is a
 * {@link ProtocolError} before anything is allocated for it.
 */
export class FrameDecoder {
  readonly #maxFrameSize: number
  #pending: Buffer[] = []
  #buffered = 0
  /** Bytes needed before the pending chunks can yield a frame (or a header). */
  #wanted = FRAME_HEADER_BYTES

  constructor(maxFrameSize: number = DEFAULT_MAX_FRAME_SIZE) {
    this.#maxFrameSize = maxFrameSize
  }

  /**
   * Feed a chunk; `onFrame` is called for each whole frame, in order. Frames
   * may be views into `chunk`; copy them to keep them past the callback.
   *
   * @throws ProtocolError (`oversized`) on a length prefix above the maximum.
   */
  push(chunk: Buffer, onFrame: (frame: Uint8Array) => void): void {
    if (this.#pending.length === 0) {
      this.#parse(chunk, onFrame)
      return
    }
    this.#pending.push(chunk)
    this.#buffered += chunk.length
    if (this.#buffered < this.#wanted) return
    const merged = Buffer.concat(this.#pending, this.#buffered)
    this.#pending = []
    this.#buffered = 0
    this.#parse(merged, onFrame)
  }

  /** Bytes held for a frame that has not fully arrived. */
  get buffered(): number {
    return this.#buffered
  }

  /** A copy of the bytes held for a frame that has not fully arrived: what another decoder needs to go on where this one stopped. */
  pending(): Buffer {
    return Buffer.concat(this.#pending, this.#buffered)
  }

  #length(buf: Buffer, offset: number): number {
    const length = buf.readUInt32BE(offset)
    if (length > this.#maxFrameSize) {
      throw new ProtocolError('oversized', `frame of ${length} bytes exceeds the maximum of ${this.#maxFrameSize}`)
    }
    return length
  }

  #parse(buf: Buffer, onFrame: (frame: Uint8Array) => void): void {
    let offset = 0
    while (buf.length - offset >= FRAME_HEADER_BYTES) {
      const length = this.#length(buf, offset)
      const end = offset + FRAME_HEADER_BYTES + length
      if (end > buf.length) break
      onFrame(buf.subarray(offset + FRAME_HEADER_BYTES, end))
      offset = end
    }
    if (offset === buf.length) {
      this.#wanted = FRAME_HEADER_BYTES
      return
    }
    const rest = buf.subarray(offset)
    this.#pending = [rest]
    this.#buffered = rest.length
    this.#wanted = rest.length >= FRAME_HEADER_BYTES ? FRAME_HEADER_BYTES + this.#length(rest, 0) : FRAME_HEADER_BYTES
  }
}

/**
 * How many frames a transport batches at most: a batch is written as soon as
 * it holds this many, not only at the end of the tick. A stream's items are
 * produced in one run of microtasks, which would otherwise hold a whole flow
 * window back until the producer stops, and leave the consumer idle meanwhile
 * (and then the producer, waiting for credit that the consumer grants only
 * after its own run of microtasks). Backends' own transports follow it too.
 */
export const EAGER_FLUSH_FRAMES = 256

/**
 * How many bytes of frames a transport batches at most, for the same reason:
 * a stream's items travel 256 to a frame, so a count of frames alone would
 * hold back tens of thousands of them.
 */
export const EAGER_FLUSH_BYTES = 16 * 1024

/**
 * Collects frames sent in one tick and writes them as one length-prefixed
 * buffer, so a burst of small messages costs one system call (one per
 * {@link EAGER_FLUSH_FRAMES} frames or {@link EAGER_FLUSH_BYTES} bytes).
 */
export class FrameWriter {
  readonly #write: (data: Buffer) => void
  #frames: Uint8Array[] = []
  #bytes = 0
  #scheduled = false

  constructor(write: (data: Buffer) => void) {
    this.#write = write
  }

  /** Queue one frame; it is written at the end of the current tick. */
  push(frame: Uint8Array): void {
    this.#frames.push(frame)
    this.#bytes += FRAME_HEADER_BYTES + frame.length
    if (this.#frames.length >= EAGER_FLUSH_FRAMES || this.#bytes >= EAGER_FLUSH_BYTES) {
      this.flush()
      return
    }
    if (!this.#scheduled) {
      this.#scheduled = true
      process.nextTick(this.flush)
    }
  }

  /** Write everything queued now. */
  readonly flush = (): void => {
    this.#scheduled = false
    if (this.#frames.length === 0) return
    const out = Buffer.allocUnsafe(this.#bytes)
    let offset = 0
    for (const frame of this.#frames) {
      out.writeUInt32BE(frame.length, offset)
      out.set(frame, offset + FRAME_HEADER_BYTES)
      offset += FRAME_HEADER_BYTES + frame.length
    }
    this.#frames = []
    this.#bytes = 0
    this.#write(out)
  }
}
