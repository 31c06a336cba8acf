import { spawn } from 'node:child_process'
import { once } from 'node:events'
import type { Socket } from 'node:net'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { describe, expect, test } from 'vitest'

const CHILD_ENTRY = new URL('../dist/child.js', import.meta.url).href

// A child that writes its last bytes on its channel (fd 3), ends it, says so on stdout and leaves on its own (code 1,
// as a crashed actor does) through exitAfterFlush.
const script = `
  import { Socket } from 'node:net'
  const { exitAfterFlush } = await import(${JSON.stringify(CHILD_ENTRY)})
  const channel = new Socket({ fd: 3, readable: true, writable: true })
  channel.resume()
  channel.once('finish', () => process.stdout.write('finished\\n'))
  channel.end('last frames')
  exitAfterFlush(1, channel)
`

describe('exitAfterFlush', () => {
  test('an actor leaving on its own waits for the parent to close its end: a parent that writes after the last frames still reads them', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit', 'pipe'] })
    try {
      const channel = child.stdio[3] as Socket
      channel.pause()
      const exited = once(child, 'exit')
      const lines = createInterface({ input: child.stdout as Readable })
      const [line] = (await once(lines, 'line')) as [string]
      expect(line).toBe('finished')
      // The instant in which a child that left at its flush would be gone, stretched (it is bounded by EXIT_FLUSH_BOUND).
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 200))])
      expect(child.exitCode).toBeNull()
      // Writing to a child that has exited fails with EPIPE and destroys the socket with its unread bytes.
      channel.write('a heartbeat')
      const chunks: Buffer[] = []
      channel.on('data', (chunk: Buffer) => chunks.push(chunk))
      channel.resume()
      await once(channel, 'close')
      expect(Buffer.concat(chunks).toString()).toBe('last frames')
      // This end closed (the socket ends itself after its peer's end): the child leaves now, not at its bound.
      const [code] = (await exited) as [number | null]
      expect(code).toBe(1)
    } finally {
      child.kill('SIGKILL')
    }
  })
})
