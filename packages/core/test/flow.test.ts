import { describe, expect, test } from 'vitest'
import { FLOW_WINDOW, FLOW_WINDOW_BYTES, ReceiveWindow, SendWindow } from '../src/wire/flow.js'

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
})
