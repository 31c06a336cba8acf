/** The script each process actor runs: core's actor runtime over the socketpair on fd 3. */

import { Socket } from 'node:net'
import { finished } from 'node:stream'
import { runActor, socketTransport } from '@harrow/core'

/** How long exiting waits for the channel and stdio to flush, in ms. */
const FLUSH_BOUND = 500

const maxFrameSize = Number(process.argv[2])
const channel = new Socket({ fd: 3, readable: true, writable: true })

function flushed(stream: NodeJS.WritableStream & { writableLength?: number }): Promise<void> {
  return new Promise((resolve) => {
    if (!stream.writableLength) resolve()
    else stream.write('', () => resolve())
  })
}

function exit(code: number): void {
  setTimeout(() => process.exit(code), FLUSH_BOUND).unref()
  const channelDone = new Promise<void>((resolve) => finished(channel, () => resolve()))
  void Promise.all([channelDone, flushed(process.stdout), flushed(process.stderr)]).then(() => process.exit(code))
}

runActor({
  transport: socketTransport(channel, Number.isFinite(maxFrameSize) && maxFrameSize > 0 ? { maxFrameSize } : {}),
  exit,
  handleSignals: true,
})
