import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { ProtocolError } from '@harrow/core'
import type { TransportSink } from '@harrow/core/backend'
import { afterEach, describe, expect, test } from 'vitest'
import { portTransport } from '../src/port-transport.js'

const opened: MessagePort[] = []

afterEach(() => {
  for (const port of opened.splice(0)) port.close()
})

function channel(): { near: MessagePort; far: MessagePort } {
  const { port1, port2 } = new MessageChannel()
  opened.push(port1, port2)
  return { near: port1, far: port2 }
}

interface Recorded {
  readonly frames: Uint8Array[]
  readonly closed: Promise<Error | undefined>
  readonly sink: TransportSink
}

function recorder(): Recorded {
  const frames: Uint8Array[] = []
  let close!: (error: Error | undefined) => void
  const closed = new Promise<Error | undefined>((resolve) => (close = resolve))
  return { frames, closed, sink: { frame: (data) => frames.push(Uint8Array.from(data)), close: (error) => close(error) } }
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20))

/** A batch as the transport writes it: [u32 length][frame]... */
function batch(...frames: Uint8Array[]): ArrayBuffer {
  const out = new Uint8Array(frames.reduce((n, f) => n + 4 + f.length, 0))
  let offset = 0
  for (const frame of frames) {
    new DataView(out.buffer).setUint32(offset, frame.length)
    out.set(frame, offset + 4)
    offset += 4 + frame.length
  }
  return out.buffer
}

describe('portTransport', () => {
  test('frames sent in one tick travel as one batch, a string up to 1 KiB, and arrive whole and in order', async () => {
    const { near, far } = channel()
    const posted: unknown[] = []
    far.on('message', (data) => posted.push(data))
    const a = portTransport(near)
    a.start(recorder().sink)
    const frame = new Uint8Array([1, 2, 3])
    a.send(frame)
    a.send(new Uint8Array([4, 255]))
    a.send(new Uint8Array([]))
    await tick()
    expect(posted).toHaveLength(1)
    // A marker, then one latin1 character per byte of the batch.
    expect(posted[0]).toBe(`\u0001${Buffer.from(batch(new Uint8Array([1, 2, 3]), new Uint8Array([4, 255]), new Uint8Array([]))).toString('latin1')}`)
    // The sender's frame is copied, not detached.
    expect(frame).toEqual(new Uint8Array([1, 2, 3]))

    const b = portTransport(far)
    const got = recorder()
    b.start(got.sink)
    a.send(new Uint8Array([9, 9]))
    a.send(new Uint8Array([0, 128, 255]))
    await tick()
    expect(got.frames).toEqual([new Uint8Array([9, 9]), new Uint8Array([0, 128, 255])])
  })

  test('a frame alone in its tick travels as a marker and its latin1 characters, without a length, and arrives as a Buffer', async () => {
    const { near, far } = channel()
    const posted: unknown[] = []
    far.on('message', (data) => posted.push(data))
    const a = portTransport(near)
    a.start(recorder().sink)
    a.send(new Uint8Array([0, 2, 128, 255]))
    await tick()
    expect(posted).toEqual(['\u0002\u0000\u0002\u0080\u00ff'])

    const b = portTransport(far)
    const got: Uint8Array[] = []
    b.start({ frame: (data) => got.push(data), close: () => {} })
    a.send(new Uint8Array([0, 2, 128, 255]))
    a.send(new Uint8Array([]))
    await tick()
    a.send(new Uint8Array([]))
    await tick()
    expect(got.map((f) => [...f])).toEqual([[0, 2, 128, 255], [], []])
    expect(got.every((f) => Buffer.isBuffer(f))).toBe(true)
  })

  test('a lone frame over maxFrameSize is an oversized ProtocolError, not delivered', async () => {
    const { near, far } = channel()
    const got = recorder()
    portTransport(near, { maxFrameSize: 8 }).start(got.sink)
    far.postMessage(`\u0002${'x'.repeat(9)}`)
    expect(await got.closed).toMatchObject({ name: 'ProtocolError', violation: 'oversized', message: 'frame of 9 bytes exceeds the maximum of 8' })
    expect(got.frames).toEqual([])
  })

  test('a batch over 1 KiB travels as one transferred ArrayBuffer and arrives whole', async () => {
    const { near, far } = channel()
    const posted: unknown[] = []
    far.on('message', (data) => posted.push(data))
    const a = portTransport(near)
    a.start(recorder().sink)
    const big = new Uint8Array(2000).map((_, i) => i % 251)
    a.send(big)
    a.send(new Uint8Array([7]))
    await tick()
    expect(posted).toHaveLength(1)
    expect(posted[0]).toBeInstanceOf(ArrayBuffer)
    expect(new Uint8Array(posted[0] as ArrayBuffer)).toEqual(new Uint8Array(batch(big, new Uint8Array([7]))))
    expect(big[1]).toBe(1)

    const b = portTransport(far)
    const got = recorder()
    b.start(got.sink)
    a.send(big)
    await tick()
    expect(got.frames).toEqual([big])
  })

  test('a burst of frames goes out in batches of 256 frames as it is sent, in order', async () => {
    const { near, far } = channel()
    const posted: unknown[] = []
    far.on('message', (data) => posted.push(data))
    const a = portTransport(near)
    a.start(recorder().sink)
    for (let i = 0; i < 600; i++) a.send(new Uint8Array([i & 0xff]))
    await tick()
    // 256 + 256 posted while sending, the last 88 at the end of the tick.
    expect(posted).toHaveLength(3)

    const { near: from, far: to } = channel()
    const sender = portTransport(from)
    const got = recorder()
    portTransport(to).start(got.sink)
    for (let i = 0; i < 600; i++) sender.send(new Uint8Array([i & 0xff, i >> 8]))
    await tick()
    expect(got.frames).toEqual(Array.from({ length: 600 }, (_, i) => new Uint8Array([i & 0xff, i >> 8])))
  })

  test('received frames are Buffers, as on a socket, so the codec decodes binary alike on every backend', async () => {
    const { near, far } = channel()
    const got: Uint8Array[] = []
    portTransport(near).start({ frame: (data) => got.push(data), close: () => {} })
    far.postMessage(batch(new Uint8Array([7])))
    await tick()
    expect(Buffer.isBuffer(got[0])).toBe(true)
  })

  test('a frame over maxFrameSize closes the transport with an oversized ProtocolError before any frame of its batch is delivered', async () => {
    const { near, far } = channel()
    const got = recorder()
    portTransport(near, { maxFrameSize: 8 }).start(got.sink)
    let peerClosed = false
    far.once('close', () => (peerClosed = true))
    far.postMessage(batch(new Uint8Array(4), new Uint8Array(9)))
    const error = await got.closed
    expect(error).toBeInstanceOf(ProtocolError)
    expect(error).toMatchObject({ violation: 'oversized', message: 'frame of 9 bytes exceeds the maximum of 8' })
    expect(got.frames).toEqual([])
    await tick()
    expect(peerClosed).toBe(true)
  })

  test('a message that is not a batch, or a truncated batch, is a malformed ProtocolError', async () => {
    for (const bad of ['text', '\u0003\u0001', '\u0001\u0000\u0000\u0000\u0005\u0001', new Uint8Array([0, 0, 0, 5, 1]).buffer, new Uint8Array([1, 2])]) {
      const { near, far } = channel()
      const got = recorder()
      portTransport(near).start(got.sink)
      far.postMessage(bad)
      expect(await got.closed).toMatchObject({ name: 'ProtocolError', violation: 'malformed' })
    }
  })

  test('close() flushes what was sent, then the peer sees the frames and an orderly close; later sends are dropped', async () => {
    const { near, far } = channel()
    const a = portTransport(near)
    const mine = recorder()
    a.start(mine.sink)
    const peer = recorder()
    portTransport(far).start(peer.sink)
    a.send(new Uint8Array([1]))
    a.close()
    a.send(new Uint8Array([2]))
    expect(await mine.closed).toBeUndefined()
    expect(await peer.closed).toBeUndefined()
    expect(peer.frames).toEqual([new Uint8Array([1])])
  })

  test('when the peer is gone, what it posted is still delivered before the close', async () => {
    const { near, far } = channel()
    let gone!: () => void
    const got = recorder()
    portTransport(near, { peerGone: new Promise<void>((resolve) => (gone = resolve)) }).start(got.sink)
    far.postMessage(batch(new Uint8Array([1])))
    gone()
    expect(await got.closed).toBeUndefined()
    expect(got.frames).toEqual([new Uint8Array([1])])
  })
})
