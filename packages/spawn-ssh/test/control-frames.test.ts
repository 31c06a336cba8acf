// The actor's side of the control frames on its channel: never seen by the actor; signal frames acted on by the actor
// itself only from the point where it reads the channel directly (before it, its watchdog read them and acted).
import type { Transport, TransportSink } from '@harrow/core/backend'
import { describe, expect, test } from 'vitest'
import { droppingControlFrames, signalFrame, type ChannelSignal, type SignalDelivery } from '../src/control-frames.js'

/** A transport that lets the test deliver frames. */
function delivering(): { transport: Transport; deliver: (frame: Uint8Array) => void } {
  let sink: TransportSink | undefined
  return {
    deliver: (frame) => sink?.frame(frame),
    transport: { send: () => {}, start: (target) => (sink = target), close: () => {} },
  }
}

const frame = (...bytes: number[]): Uint8Array => new Uint8Array(bytes)

describe("control frames on the actor's side", () => {
  test('the actor sees no control frame; signal frames from the offset where it reads the channel itself are acted on', () => {
    const { transport, deliver } = delivering()
    const seen: Uint8Array[] = []
    const acted: ChannelSignal[] = []
    const delivery: SignalDelivery = { from: Infinity, deliver: (signal) => acted.push(signal) }
    droppingControlFrames(transport, delivery).start({ frame: (data) => seen.push(data), close: () => {} })
    // Bytes 0-3: a heartbeat; 4-9: a signal the watchdog read (and acted on); 10-15: a protocol frame.
    deliver(frame())
    deliver(signalFrame('SIGTERM'))
    deliver(frame(0x91, 1))
    expect(acted).toEqual([])
    // The main thread reads from byte 16 on: a signal frame there is the actor's to act on.
    delivery.from = 16
    deliver(signalFrame('SIGKILL'))
    deliver(frame(0x91, 2))
    expect(seen).toEqual([frame(0x91, 1), frame(0x91, 2)])
    expect(acted).toEqual(['SIGKILL'])
  })

  test('by default no signal frame reaches the actor', () => {
    const { transport, deliver } = delivering()
    const seen: Uint8Array[] = []
    droppingControlFrames(transport).start({ frame: (data) => seen.push(data), close: () => {} })
    deliver(signalFrame('SIGKILL'))
    deliver(frame(0x91, 1))
    expect(seen).toEqual([frame(0x91, 1)])
  })
})
