/**
 * Heartbeats on the actor channel: an empty frame, which core's protocol never
 * sends. The parent sends one whenever it has sent nothing for a while; on
 * the remote host the channel watchdog treats a silence longer than the
 * timeout as a lost channel (a partition, where no EOF arrives), and the
 * actor drops them.
 */

import type { Transport } from '@harrow/core/backend'

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

/** The remote side: `transport` without the heartbeats (empty frames), which only the channel watchdog needs to hear. */
export function droppingHeartbeats(transport: Transport): Transport {
  return {
    send: (frame) => transport.send(frame),
    start(sink) {
      transport.start({
        frame: (data) => {
          if (data.length > 0) sink.frame(data)
        },
        close: (error) => sink.close(error),
      })
    },
    close: () => transport.close(),
  }
}
