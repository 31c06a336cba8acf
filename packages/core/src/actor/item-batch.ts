/** A stream's small items, gathered into one `Items` message per tick: one encode and one frame for many items. */

import type { Channel } from '../wire/channel.js'
import { EAGER_FLUSH_FRAMES } from '../wire/frames.js'
import type { SendWindow } from '../wire/flow.js'
import { Op, type ChildMessage, type ParentMessage } from '../wire/protocol.js'

/** What the items of one batch may encode to at most (by their upper bounds) before it is sent: 64 KiB, or a quarter of the channel's largest frame when that is smaller. */
export const BATCH_BYTES = 64 * 1024

/** The batch budget on a channel whose largest frame is `maxFrameSize` bytes. */
export function batchBudget(maxFrameSize: number): number {
  return Math.min(BATCH_BYTES, Math.floor(maxFrameSize / 4))
}

/**
 * The items a stream yielded in this tick and has not sent yet. They leave as
 * one `[Items, cid, items]` when the tick ends, when the batch holds
 * {@link EAGER_FLUSH_FRAMES} items or its budget of upper bounds (see
 * {@link batchBudget}), and before anything else the task sends ({@link flush}).
 * The window counts each item when it is added and the batch's bytes when it is
 * sent. Its tick-end and eager flushes follow the transports' `FrameWriter`.
 */
export class ItemBatch {
  readonly #channel: Channel<ParentMessage, ChildMessage>
  readonly #cid: number
  readonly #window: SendWindow
  readonly #budget: number
  #items: unknown[] = []
  #bytes = 0
  #scheduled = false

  /** @param budget what a batch's items may encode to at most, by their upper bounds (see {@link batchBudget}). */
  constructor(channel: Channel<ParentMessage, ChildMessage>, cid: number, window: SendWindow, budget: number) {
    this.#channel = channel
    this.#cid = cid
    this.#window = window
    this.#budget = budget
  }

  /** Add an item that encodes to at most `bound` bytes (see `smallValueBytes`). */
  push(value: unknown, bound: number): void {
    if (this.#bytes + bound > this.#budget) this.flush()
    this.#items.push(value)
    this.#bytes += bound
    this.#window.sent(0)
    if (this.#items.length >= EAGER_FLUSH_FRAMES) this.flush()
    else if (!this.#scheduled) {
      this.#scheduled = true
      process.nextTick(this.flush)
    }
  }

  /** Send what is gathered now. */
  readonly flush = (): void => {
    this.#scheduled = false
    const items = this.#items
    if (items.length === 0) return
    this.#items = []
    this.#bytes = 0
    const message: ChildMessage = items.length === 1 ? [Op.Yield, this.#cid, items[0]] : [Op.Items, this.#cid, items]
    this.#window.sent(this.#channel.send(message), 0)
  }

  /** Forget what is gathered: the task was cancelled, and its parent takes no more items. */
  drop(): void {
    this.#items = []
    this.#bytes = 0
  }
}
