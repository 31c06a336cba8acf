/**
 * Heartbeats on the actor channel: an empty frame, which core's protocol never
 * sends. The parent sends one whenever it has sent nothing for a while; the
 * remote side drops them and treats a silence longer than its timeout as a
 * lost channel (a partition, where no EOF arrives).
 */

import type { Transport, TransportSink } from '@harrow/core/backend'

const EMPTY = new Uint8Array(0)

/** The parent's side: `transport`, plus an empty frame every `interval` ms in which nothing else was sent. */
export function sendingHeartbeats(transport: Transport, interval: number): Transport {
  let sent = false
  let timer: NodeJS.Timeout | undefined
  return {
    send(frame) {
      sent = true
      transport.send(frame)
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
          clearInterval(timer)
          sink.close(error)
        },
      })
    },
    close() {
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

/** The remote side: `transport` without heartbeats, closed with a {@link HeartbeatLostError} after `timeout` ms of silence. */
export function watchingHeartbeats(transport: Transport, timeout: number): Transport {
  let closed = false
  let heard = true
  let timer: NodeJS.Timeout | undefined
  let target: TransportSink | undefined
  const close = (error?: Error): void => {
    if (closed) return
    closed = true
    clearInterval(timer)
    target?.close(error)
  }
  return {
    send(frame) {
      transport.send(frame)
    },
    start(sink) {
      target = sink
      // Checked every half timeout: a silence of `timeout` is always noticed, one shorter than half of it never.
      timer = setInterval(() => {
        if (!heard) {
          close(new HeartbeatLostError(timeout))
          transport.close()
        }
        heard = false
      }, timeout / 2)
      timer.unref()
      transport.start({
        frame: (data) => {
          heard = true
          if (data.length > 0 && !closed) sink.frame(data)
        },
        close: (error) => close(error),
      })
    },
    close() {
      clearInterval(timer)
      transport.close()
    },
  }
}
