/**
 * Control frames on an ssh actor's channel (and on its watchdog's link, see
 * watchdog-link.ts), which core's protocol never sends
 * and the remote actor's watchdog thread acts on, even while the actor's
 * JavaScript is wedged:
 * - a heartbeat, an empty frame: the parent sends one whenever it has sent
 *   nothing for a while, and a silence longer than the timeout is a lost
 *   channel (a partition, where no EOF arrives);
 * - a signal, `0xc1` then the signal's number: the parent's terminate and
 *   kill, delivered without a second ssh command. `0xc1` is the one byte
 *   msgpack never uses, so no protocol frame starts with it.
 */

import { FRAME_HEADER_BYTES, type Transport } from '@harrow/core/backend'

const EMPTY = new Uint8Array(0)
const SIGNAL = 0xc1
const SIGNAL_NUMBERS = { SIGTERM: 15, SIGKILL: 9 } as const

/** A signal the parent can send over the channel. */
export type ChannelSignal = keyof typeof SIGNAL_NUMBERS

/** The control frame that asks the remote actor's watchdog to send `signal` to its process. */
export function signalFrame(signal: ChannelSignal): Uint8Array {
  return new Uint8Array([SIGNAL, SIGNAL_NUMBERS[signal]])
}

/** The signal a frame asks for, if it is a signal frame. */
export function frameSignal(frame: Uint8Array): ChannelSignal | undefined {
  if (frame.length !== 2 || frame[0] !== SIGNAL) return undefined
  return frame[1] === SIGNAL_NUMBERS.SIGKILL ? 'SIGKILL' : frame[1] === SIGNAL_NUMBERS.SIGTERM ? 'SIGTERM' : undefined
}

/** Whether a frame is a control frame (a heartbeat or a signal), which the actor itself never sees. */
export function isControlFrame(frame: Uint8Array): boolean {
  return frame.length === 0 || (frame.length === 2 && frame[0] === SIGNAL)
}

/** The parent's side of an ssh actor's channel: heartbeats while idle, and signals for the watchdog. */
export interface ParentChannel extends Transport {
  /** Send `signal` to the actor's process through its watchdog; `false` once the channel is closed. */
  signal(signal: ChannelSignal): boolean
}

/** The parent's side: `transport`, plus an empty frame every `interval` ms in which nothing else was sent, and signals. */
export function parentChannel(transport: Transport, interval: number): ParentChannel {
  let sent = false
  let open = true
  let timer: NodeJS.Timeout | undefined
  return {
    send(frame) {
      sent = true
      transport.send(frame)
    },
    signal(signal) {
      if (!open) return false
      transport.send(signalFrame(signal))
      return true
    },
    start(sink) {
      timer = setInterval(() => {
        if (!sent) transport.send(EMPTY)
        sent = false
      }, interval)
      // Heartbeats alone must not keep the parent alive.
      timer.unref()
      transport.start({
        frame: (data) => sink.frame(data),
        close: (error) => {
          open = false
          clearInterval(timer)
          sink.close(error)
        },
      })
    },
    close() {
      open = false
      clearInterval(timer)
      transport.close()
    },
  }
}

/** The error a remote actor's channel closes with when its parent has been silent too long. */
export class HeartbeatLostError extends Error {
  constructor(timeout: number) {
    super(`no frame or heartbeat from the parent for ${timeout} ms: the channel is treated as lost`)
    this.name = 'HeartbeatLostError'
  }
}

/**
 * Where signal frames go on the actor's side: from the byte `from` of the
 * channel on (the actor reads it itself, its watchdog having its own link:
 * the parent sent them before it knew of the link), to `deliver`; before it,
 * nowhere (the watchdog, which read them, has acted on them).
 */
export interface SignalDelivery {
  /** The offset in the channel (as the transport sees it) from which signal frames are delivered. */
  from: number
  /** Act on a signal frame. */
  deliver(signal: ChannelSignal): void
}

/**
 * The remote side: `transport` without the control frames, which the
 * channel watchdog acts on while it reads the channel; signal frames from
 * `delivery.from` on go to `delivery.deliver`.
 */
export function droppingControlFrames(transport: Transport, delivery: SignalDelivery = { from: Infinity, deliver: () => {} }): Transport {
  let offset = 0
  return {
    send: (frame) => transport.send(frame),
    start(sink) {
      transport.start({
        frame: (data) => {
          const at = offset
          offset += FRAME_HEADER_BYTES + data.length
          if (!isControlFrame(data)) return sink.frame(data)
          const signal = at >= delivery.from ? frameSignal(data) : undefined
          if (signal !== undefined) delivery.deliver(signal)
        },
        close: (error) => sink.close(error),
      })
    },
    close: () => transport.close(),
  }
}
