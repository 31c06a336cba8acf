import { describe, expect, test } from 'vitest'
import { FLOW_WINDOW, FLOW_WINDOW_BYTES, FLOW_WINDOW_MAX, ReceiveWindow, SendWindow } from '../src/wire/flow.js'

describe('flow control', () => {
  test('a sender stops after a window of items, and a receiver grants half a window back', () => {
    const sender = new SendWindow()
    const receiver = new ReceiveWindow()
    for (let i = 0; i < FLOW_WINDOW; i++) {
      expect(sender.open).toBe(true)
      sender.sent(10)
    }
    expect(sender.open).toBe(false)
    let credit: [number, number] | undefined
    for (let i = 0; i < FLOW_WINDOW / 2 && !credit; i++) credit = receiver.take(10)
    expect(credit).toEqual([FLOW_WINDOW / 2, (FLOW_WINDOW / 2) * 10])
    sender.grant(...(credit as [number, number]))
    expect(sender.open).toBe(true)
  })

  test('large items close the window by bytes long before the item count, so memory stays bounded', () => {
    const sender = new SendWindow()
    const item = 4 * 1024 * 1024
    let sent = 0
    while (sender.open) {
      sender.sent(item)
      sent++
    }
    expect(sent).toBe(FLOW_WINDOW_BYTES / item)
    const receiver = new ReceiveWindow()
    expect(receiver.take(item)).toBeUndefined()
    expect(receiver.take(item)).toEqual([2, 2 * item])
  })

  test('one item larger than the byte window still goes, alone', async () => {
    const sender = new SendWindow()
    expect(sender.open).toBe(true)
    sender.sent(FLOW_WINDOW_BYTES * 2)
    expect(sender.open).toBe(false)
    let stopped = false
    const waiting = sender.wait(() => stopped)
    stopped = true
    sender.wake()
    await waiting
    sender.grant(1, FLOW_WINDOW_BYTES * 2)
    expect(sender.open).toBe(true)
  })

  test('a sender that spends its item window says so once per wait, and not when only the byte window is spent', async () => {
    const sender = new SendWindow()
    let blocked = 0
    for (let i = 0; i < FLOW_WINDOW; i++) sender.sent(10)
    const waiting = sender.wait(
      () => false,
      () => blocked++,
    )
    expect(blocked).toBe(1)
    sender.grant(1, 0)
    await waiting
    expect(blocked).toBe(1)
    const bytes = new SendWindow()
    bytes.sent(FLOW_WINDOW_BYTES)
    let stopped = false
    const byBytes = bytes.wait(
      () => stopped,
      () => blocked++,
    )
    stopped = true
    bytes.wake()
    await byBytes
    expect(blocked).toBe(1)
  })

  /** A receiver that took a whole window, as a fast consumer does, with the credit it granted for it. */
  function drained(receiver: ReceiveWindow, items: number): number {
    let granted = 0
    for (let i = 0; i < items; i++) {
      receiver.arrived()
      granted += receiver.take(1)?.[0] ?? 0
    }
    return granted
  }

  test('a consumer that runs dry while its sender waits doubles the item window, up to FLOW_WINDOW_MAX', () => {
    const receiver = new ReceiveWindow()
    expect(drained(receiver, FLOW_WINDOW)).toBe(FLOW_WINDOW)
    receiver.blocked()
    expect(receiver.starved()).toEqual([FLOW_WINDOW, 0])
    expect(receiver.window).toBe(2 * FLOW_WINDOW)
    // Credit now comes in halves of the larger window.
    expect(drained(receiver, FLOW_WINDOW)).toBe(FLOW_WINDOW)
    expect(receiver.take(1)).toBeUndefined()
    let window = receiver.window
    while (window < FLOW_WINDOW_MAX) {
      drained(receiver, 1)
      receiver.blocked()
      expect(receiver.starved()?.[0]).toBeGreaterThanOrEqual(window)
      window *= 2
      expect(receiver.window).toBe(window)
    }
    drained(receiver, 1)
    receiver.blocked()
    expect(receiver.starved()).toBeUndefined()
    expect(receiver.window).toBe(FLOW_WINDOW_MAX)
  })

  test('a receiver may start with a larger window, within FLOW_WINDOW and FLOW_WINDOW_MAX, and grants in halves of it', () => {
    const receiver = new ReceiveWindow(8 * FLOW_WINDOW)
    expect(receiver.window).toBe(8 * FLOW_WINDOW)
    // Nothing until half of it was taken, then all of that at once.
    expect(drained(receiver, 4 * FLOW_WINDOW - 1)).toBe(0)
    expect(drained(receiver, 1)).toBe(4 * FLOW_WINDOW)
    expect(new ReceiveWindow(10 * FLOW_WINDOW_MAX).window).toBe(FLOW_WINDOW_MAX)
    expect(new ReceiveWindow(1).window).toBe(FLOW_WINDOW)
    expect(new ReceiveWindow(Number.NaN).window).toBe(FLOW_WINDOW)
  })

  test('the window stays when the consumer is what holds the sender back, or when the sender is merely slow', () => {
    // Slow consumer: the sender waits, but items arrive again before the consumer runs dry.
    const slowConsumer = new ReceiveWindow()
    drained(slowConsumer, FLOW_WINDOW)
    slowConsumer.blocked()
    slowConsumer.arrived()
    expect(slowConsumer.starved()).toBeUndefined()
    // Slow sender: the consumer runs dry, but the sender never said it waits.
    const slowSender = new ReceiveWindow()
    drained(slowSender, 10)
    expect(slowSender.starved()).toBeUndefined()
    // One growth per wait of the sender.
    const once = new ReceiveWindow()
    drained(once, FLOW_WINDOW)
    once.blocked()
    expect(once.starved()).toBeDefined()
    expect(once.starved()).toBeUndefined()
    expect(once.window).toBe(2 * FLOW_WINDOW)
  })

  test('a sender whose window stays open lets the event loop turn every FLOW_WINDOW items', async () => {
    const sender = new SendWindow()
    sender.grant(4 * FLOW_WINDOW, 0)
    for (let i = 0; i < FLOW_WINDOW - 1; i++) sender.sent(1)
    expect(sender.ready).toBe(true)
    await sender.wait(() => false)
    sender.sent(1)
    expect(sender.ready).toBe(false)
    const order: string[] = []
    setImmediate(() => order.push('turn'))
    await sender.wait(() => false).then(() => order.push('waited'))
    expect(order).toEqual(['turn', 'waited'])
    expect(sender.ready).toBe(true)
  })
})
