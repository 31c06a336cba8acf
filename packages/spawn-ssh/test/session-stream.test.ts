import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { Duplex } from 'node:stream'
import { socketTransport } from '@harrow/core/backend'
import { describe, expect, test } from 'vitest'
import { sessionStream } from '../src/session-stream.js'

/**
 * A session whose far end has stopped reading (its stdin closed) and has written one frame ("last") on its stdout,
 * and which the parent writes to (a heartbeat, a cancel) before it reads: what `build` makes of its pipes must still
 * deliver the frame.
 */
async function lastFrameAfterFailedWrite(build: (stdout: NodeJS.ReadableStream, stdin: NodeJS.WritableStream) => Duplex): Promise<string[]> {
  const child = spawn('sh', ['-c', String.raw`exec 0<&-; printf '\000\000\000\004last'; sleep 0.3`], { stdio: ['pipe', 'pipe', 'ignore'] })
  const exited = once(child, 'exit')
  const transport = socketTransport(build(child.stdout, child.stdin))
  const frames: string[] = []
  const closed = new Promise<void>((resolve) => transport.start({ frame: (frame) => frames.push(Buffer.from(frame).toString()), close: () => resolve() }))
  // Let the child close its stdin and write, then write to it before the parent has read anything.
  const until = performance.now() + 150
  while (performance.now() < until) {
    // busy
  }
  transport.send(new Uint8Array([0, 0, 0, 0]))
  await closed
  await exited
  return frames
}

describe('an ssh session as a channel', () => {
  test('a write the session refuses (EPIPE) does not drop the frames it had already sent', async () => {
    expect(await lastFrameAfterFailedWrite((stdout, stdin) => sessionStream(stdout as never, stdin as never))).toEqual(['last'])
  })

  test('the same session through a plain Duplex.from loses them (what the test above guards against)', async () => {
    expect(await lastFrameAfterFailedWrite((stdout, stdin) => Duplex.from({ readable: stdout, writable: stdin }))).toEqual([])
  })
})
