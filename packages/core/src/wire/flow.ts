/**
 * Credit-based flow control for streams and contexts. A sender may have at
 * most {@link FLOW_WINDOW} items and {@link FLOW_WINDOW_BYTES} bytes in
 * flight; the receiver grants credit back as it takes items, in halves of
 * either window. A slow consumer therefore bounds what is buffered on its side
 * to one window, whatever the size of the items.
 *
 * A sender that spends its item window says so (`Blocked`). When the
 * consumer then finds nothing to take before anything more arrived, both ends
 * wait on each other: the window is smaller than what the link carries in one
 * round trip, and the receiver doubles it, up to {@link FLOW_WINDOW_MAX}. It
 * never shrinks. A consumer that is behind whenever its sender waits (a slow
 * one) keeps the window it has; one that catches up in bursts may grow it.
 * A receiver may start a window larger than {@link FLOW_WINDOW} (a stream
 * starts with what the streams before it on its connection grew to), granting
 * the sender the difference as its first credit.
 */

import { deferred, nextTurn, type Deferred } from '../shared/async.js'

/**
 * Items a stream or context may have in flight before the receiver grants
 * more, at first (the window grows, see {@link FLOW_WINDOW_MAX}); also how
 * many items a sender sends between two turns of its event loop.
 */
export const FLOW_WINDOW = 1024

/** The largest item window a receiver grows a fast stream's window to: 64 windows. */
export const FLOW_WINDOW_MAX = 64 * FLOW_WINDOW

/** Bytes (encoded) a stream or context may have in flight before the receiver grants more: 16 MiB. */
export const FLOW_WINDOW_BYTES = 16 * 1024 * 1024

/** The sending end's window: what may still be sent before the receiver grants more. */
export class SendWindow {
  #items = FLOW_WINDOW
  #bytes = 0
  /** Items sent since this sender last let the event loop turn (see {@link wait}). */
  #sinceTurn = 0
  #waiters: Deferred<void>[] = []

  /** Whether one more item may be sent now. A single item larger than the byte window still goes, alone. */
  get open(): boolean {
    return this.#items > 0 && this.#bytes < FLOW_WINDOW_BYTES
  }

  /** Whether the sender may go on without {@link wait}: the window is open and the event loop turned within the last {@link FLOW_WINDOW} items. */
  get ready(): boolean {
    return this.open && this.#sinceTurn < FLOW_WINDOW
  }

  /** Record `items` items of `bytes` encoded bytes as sent. */
  sent(bytes: number, items = 1): void {
    this.#items -= items
    this.#bytes += bytes
    this.#sinceTurn += items
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

  /**
   * Resolves once the window is open, or `stop()` says to stop waiting.
   * `blocked` is called first when the item window is spent: it tells the
   * receiver so (see {@link ReceiveWindow.blocked}). A sender whose window
   * stays open waits here for the event loop to turn once every
   * {@link FLOW_WINDOW} items: one that never awaits I/O runs on microtasks
   * alone, and its side would read nothing (credit, a cancel) however large
   * the window grew.
   */
  async wait(stop: () => boolean, blocked?: () => void): Promise<void> {
    if (this.open) {
      if (this.#sinceTurn < FLOW_WINDOW) return
      this.#sinceTurn = 0
      await nextTurn()
      if (this.open) return
    }
    if (this.#items <= 0 && !stop()) blocked?.()
    // Credit arrives as I/O: the event loop turns while this waits.
    this.#sinceTurn = 0
    while (!this.open && !stop()) {
      const waiter = deferred<void>()
      this.#waiters.push(waiter)
      await waiter.promise
    }
  }
}

/** The receiving end's window: counts what was taken and says when to grant it back. */
export class ReceiveWindow {
  /** The sender's item window: where it started, doubled each time it proved too small. */
  #window: number
  /** Taken since the last grant. */
  #items = 0
  #bytes = 0
  /** Items arrived since the stream began. */
  #arrived = 0
  /** What `#arrived` was when the sender last said it waits for credit; -1 once that was acted on. */
  #blockedAt = -1

  /**
   * @param window the item window to start with, between {@link FLOW_WINDOW}
   *   and {@link FLOW_WINDOW_MAX} (clamped); the sender starts with
   *   {@link FLOW_WINDOW}, so the receiver grants it the rest first.
   * @default FLOW_WINDOW
   */
  constructor(window = FLOW_WINDOW) {
    this.#window = Math.min(FLOW_WINDOW_MAX, Math.max(FLOW_WINDOW, Math.floor(window) || FLOW_WINDOW))
  }

  /** The sender's item window now. */
  get window(): number {
    return this.#window
  }

  /** Record that one item arrived. */
  arrived(): void {
    this.#arrived++
  }

  /**
   * Record one item of `bytes` bytes as taken by the consumer. Returns the
   * credit to grant the sender now, `[items, bytes]`, once half of either
   * window was taken; `undefined` otherwise.
   */
  take(bytes: number): [items: number, bytes: number] | undefined {
    this.#items++
    this.#bytes += bytes
    if (this.#items < this.#window / 2 && this.#bytes < FLOW_WINDOW_BYTES / 2) return undefined
    return this.#credit(0)
  }

  /** The sender spent its item window and waits for credit (it sends this after its last item). */
  blocked(): void {
    this.#blockedAt = this.#arrived
  }

  /**
   * The consumer found nothing to take. If nothing arrived since the sender
   * said it waits, each end is waiting on the other: returns the credit that
   * doubles the window (up to {@link FLOW_WINDOW_MAX}), with what was taken
   * and not yet granted, to grant now. `undefined` otherwise.
   */
  starved(): [items: number, bytes: number] | undefined {
    if (this.#blockedAt !== this.#arrived || this.#window >= FLOW_WINDOW_MAX) return undefined
    this.#blockedAt = -1
    const growth = Math.min(this.#window, FLOW_WINDOW_MAX - this.#window)
    this.#window += growth
    return this.#credit(growth)
  }

  #credit(growth: number): [items: number, bytes: number] {
    const credit: [number, number] = [this.#items + growth, this.#bytes]
    this.#items = 0
    this.#bytes = 0
    return credit
  }
}
