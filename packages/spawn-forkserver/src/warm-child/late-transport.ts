/** A transport whose byte stream arrives later: a warm child starts core's runtime on it while idle. */

import type { Transport, TransportSink } from '@harrow/core/backend'

/**
 * Queues what is sent until {@link attach} gives it the real transport, then
 * forwards everything both ways. This lets a warm child run the part of
 * core's actor runtime that needs no parent (its channel and codec, and the
 * hello it sends first) before it is handed out, rather than on the
 * actor's critical path.
 */
export class LateTransport implements Transport {
  #inner: Transport | undefined
  #sink: TransportSink | undefined
  #queued: Uint8Array[] = []
  #closed = false

  send(frame: Uint8Array): void {
    if (this.#inner) this.#inner.send(frame)
    else if (!this.#closed) this.#queued.push(frame)
  }

  start(sink: TransportSink): void {
    this.#sink = sink
    this.#inner?.start(sink)
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    if (this.#inner) this.#inner.close()
    else this.#sink?.close()
  }

  /** Attach the real transport: what was queued goes first, then everything flows through it. */
  attach(inner: Transport): void {
    if (this.#inner) throw new Error('LateTransport: attached twice')
    if (this.#closed) {
      inner.close()
      return
    }
    this.#inner = inner
    if (this.#sink) inner.start(this.#sink)
    for (const frame of this.#queued) inner.send(frame)
    this.#queued = []
  }
}
