/** The receiving end of a stream or context: what arrived and is not yet taken, and the credit it is worth once taken. */

import { deferred, type Deferred } from '../shared/async.js'
import { ReceiveWindow } from './flow.js'
import { Queue } from './queue.js'

/**
 * Items that arrived for one stream or context, in order, with each frame's
 * size. Taking an item counts it against a {@link ReceiveWindow}; once half a
 * window was taken, `grant` is called with the credit to send back. Readers
 * wait with {@link wait}; closing the inbox wakes them and refuses later items,
 * while what is buffered can still be taken.
 */
export class Inbox<T> {
  readonly #items = new Queue<T>()
  readonly #sizes = new Queue<number>()
  readonly #window: ReceiveWindow
  readonly #grant: (items: number, bytes: number) => void
  #waiter: Deferred<void> | undefined
  #closed = false

  /**
   * @param grant sends the sender `items` more items and `bytes` more bytes of credit.
   * @param window the item window to start with (see {@link ReceiveWindow}); its owner grants the sender what exceeds
   *   FLOW_WINDOW. @default FLOW_WINDOW
   */
  constructor(grant: (items: number, bytes: number) => void, window?: number) {
    this.#grant = grant
    this.#window = new ReceiveWindow(window)
  }

  /** The sender's item window now (it grows when both ends wait on each other). */
  get window(): number {
    return this.#window.window
  }

  /** Items waiting to be taken. */
  get length(): number {
    return this.#items.length
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closed
  }

  /** An item arrived in a frame of `bytes` bytes. Dropped once the inbox is closed. */
  push(value: T, bytes: number): void {
    if (this.#closed) return
    this.#window.arrived()
    this.#items.push(value)
    this.#sizes.push(bytes)
    this.#wake()
  }

  /**
   * Take the oldest item, granting credit when it is due. Check {@link length}
   * first: an item may itself be `undefined`.
   */
  take(): T {
    const value = this.#items.shift() as T
    const credit = this.#window.take(this.#sizes.shift() ?? 0)
    if (credit) this.#grant(credit[0], credit[1])
    return value
  }

  /** The sender spent its item window and waits for credit (see {@link ReceiveWindow}); a reader already waiting grows it. */
  blocked(): void {
    this.#window.blocked()
    if (this.#waiter) this.#growIfStarved()
  }

  /** Resolves once an item is waiting or the inbox is closed. A wait that finds the sender waiting too grows its window. */
  async wait(): Promise<void> {
    this.#growIfStarved()
    while (this.#items.length === 0 && !this.#closed) await (this.#waiter ??= deferred<void>()).promise
  }

  /** No more items will be accepted; wake the readers. What is buffered can still be taken. Idempotent. */
  close(): void {
    this.#closed = true
    this.#wake()
  }

  /** Drop what is buffered, without granting credit for it (the task is being cancelled). */
  clear(): void {
    this.#items.clear()
    this.#sizes.clear()
  }

  #growIfStarved(): void {
    if (this.#items.length > 0 || this.#closed) return
    const credit = this.#window.starved()
    if (credit) this.#grant(credit[0], credit[1])
  }

  #wake(): void {
    const waiter = this.#waiter
    this.#waiter = undefined
    waiter?.resolve()
  }
}
