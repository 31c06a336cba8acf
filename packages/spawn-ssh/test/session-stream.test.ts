import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { socketTransport } from '@harrow/core/backend'
import { describe, expect, test } from 'vitest'
import { sessionStream } from '../src/session-stream.js'

describe('an ssh session as a channel', () => {
  test('a write the session refuses (EPIPE) does not drop the frames it had already sent, and says it no longer writes', async () => {
    // A session whose far end stopped reading (its stdin closed) after writing one frame ("last") on its stdout.
    const script = String.raw`exec 0<&-; printf '\000\000\000\004last'; echo ready >&2; sleep 0.3`
    const child = spawn('sh', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] })
    const exited = once(child, 'exit')
    const session = sessionStream(child.stdout, child.stdin)
    await once(child.stderr, 'data')
    // The parent writes (a heartbeat, a cancel) before it reads anything: the write fails with EPIPE.
    const refused = once(child.stdin, 'error')
    session.stream.write(Buffer.from([0, 0, 0, 0]))
    expect(((await refused)[0] as NodeJS.ErrnoException).code).toBe('EPIPE')
    expect(session.writing).toBe(false)
    const transport = socketTransport(session.stream)
    const frames: string[] = []
    await new Promise<void>((resolve) => transport.start({ frame: (frame) => frames.push(Buffer.from(frame).toString()), close: () => resolve() }))
    expect(frames).toEqual(['last'])
    await exited
  })
})
