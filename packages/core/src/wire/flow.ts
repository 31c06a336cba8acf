/**
 * Credit-based flow control for streams and contexts. A sender may have at
 * most {@link FLOW_WINDOW} items and {@link FLOW_WINDOW_BYTES} bytes in
 * flight; the receiver grants credit back as it takes items, in halves of
 * either window. A slow consumer therefore bounds what is buffered on its side
 * to one window, whatever the size of the items.
 */

import { deferred, type Deferred } from '../shared/async.js'

/** Items a stream or context may have in flight before the receiver grants more. */
export const FLOW_WINDOW = 1024

/** Bytes (encoded) a stream or context may have in flight before the receiver grants more: 16 MiB. */
export const FLOW_WINDOW_BYTES = 16 * 1024 * 1024

/** The sending end's window: what may still be sent before the receiver grants more. */
export class SendWindow {
  #items = FLOW_WINDOW
  #bytes = 0
  #waiters: Deferred<void>[] = []

  /** Whether one more item may be sent now. A single item larger than the byte window still goes, alone. */
  get open(): boolean {
    return this.#items > 0 && this.#bytes < FLOW_WINDOW_BYTES
  }

  /** Record `items` items of `bytes` encoded bytes as sent. */
  sent(bytes: number, items = 1): void {
    this.#items -= items
    this.#bytes += bytes
  }

  /** The receiver took `items` items of `bytes` bytes: open the window by that much. */
  grant(items: number, bytes: number): void {
    this.#items += items
    this.#bytes = Math.max(0, this.#bytes - bytes)
    this.wake()
  }

  /** Resolve every waiter (after a grant, or to let a cancelled sender re-check why it waits). */
  wake(): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const waiter of waiters) waiter.resolve()
  }

  /** Resolves once the window is open, or `stop()` says to stop waiting. */
  async wait(stop: () => boolean): Promise<void> {
    while (!this.open && !stop()) {
      const waiter = deferred<void>()
      this.#waiters.push(waiter)
      await waiter.promise
    }
  }
}

/** The receiving end's window: counts what was taken and says when to grant it back. */
export class ReceiveWindow {
  #items = 0
  #bytes = 0

  /**
   * Record one item of `bytes` bytes as taken by the consumer. Returns the
   * credit to grant the sender now, `[items, bytes]`, once half of either
   * window was taken; `undefined` otherwise.
   */
  take(bytes: number): [items: number, bytes: number] | undefined {
    this.#items++
    this.#bytes += bytes
    if (this.#items < FLOW_WINDOW / 2 && this.#bytes < FLOW_WINDOW_BYTES / 2) return undefined
    const credit: [number, number] = [this.#items, this.#bytes]
    this.#items = 0
    this.#bytes = 0
    return credit
  }
}
