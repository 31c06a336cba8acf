import { describe, expect, test } from 'vitest'
import { ProtocolError } from '../src/shared/errors.js'
import { EAGER_FLUSH_BYTES, FRAME_HEADER_BYTES, FrameDecoder, FrameWriter } from '../src/wire/frames.js'

function framed(...payloads: Uint8Array[]): Buffer {
  const chunks: Buffer[] = []
  for (const payload of payloads) {
    const header = Buffer.alloc(4)
    header.writeUInt32BE(payload.length)
    chunks.push(header, Buffer.from(payload))
  }
  return Buffer.concat(chunks)
}

describe('frames', () => {
  test('frames split across chunks at every byte boundary decode whole and in order', () => {
    const payloads = [Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(70_000, 7), Buffer.from('last')]
    const stream = framed(...payloads)
    for (const step of [1, 3, 4, 5, 1000, stream.length]) {
      const decoder = new FrameDecoder()
      const seen: Buffer[] = []
      for (let i = 0; i < stream.length; i += step) decoder.push(stream.subarray(i, i + step), (f) => seen.push(Buffer.from(f)))
      expect(seen).toEqual(payloads)
      expect(decoder.buffered).toBe(0)
    }
  })

  test('a second decoder seeded with what the first holds goes on where it stopped, at every split', () => {
    const payloads = [Buffer.from('first'), Buffer.alloc(300, 1), Buffer.from('third')]
    const stream = framed(...payloads)
    for (let split = 0; split <= stream.length; split++) {
      const first = new FrameDecoder()
      const seen: Buffer[] = []
      first.push(stream.subarray(0, split), (f) => seen.push(Buffer.from(f)))
      const held = first.pending()
      expect(held.length).toBe(first.buffered)
      const second = new FrameDecoder()
      second.push(held, () => expect.unreachable('the held bytes are never a whole frame'))
      second.push(stream.subarray(split), (f) => seen.push(Buffer.from(f)))
      expect(seen).toEqual(payloads)
    }
  })

  test('a length prefix over the maximum is a ProtocolError before its payload arrives', () => {
    const decoder = new FrameDecoder(1024)
    const header = Buffer.alloc(4)
    header.writeUInt32BE(0xffffffff)
    let error: unknown
    try {
      decoder.push(header, () => {})
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ProtocolError)
    expect(error).toMatchObject({ violation: 'oversized' })
  })

  test('a header split across chunks is still checked against the maximum', () => {
    const decoder = new FrameDecoder(1024)
    const header = Buffer.alloc(4)
    header.writeUInt32BE(2048)
    decoder.push(header.subarray(0, 2), () => {})
    expect(() => decoder.push(header.subarray(2), () => {})).toThrow(ProtocolError)
  })

  test('frames queued in one tick are written together, length-prefixed', async () => {
    const writes: Buffer[] = []
    const writer = new FrameWriter((data) => writes.push(data))
    writer.push(Buffer.from('one'))
    writer.push(Buffer.from('two'))
    expect(writes).toHaveLength(0)
    await new Promise((resolve) => process.nextTick(resolve))
    expect(writes).toEqual([framed(Buffer.from('one'), Buffer.from('two'))])
  })

  test('a burst is written in batches of 256 frames as it is queued, the rest at the end of the tick, in order', async () => {
    const writes: Buffer[] = []
    const writer = new FrameWriter((data) => writes.push(data))
    const frames = Array.from({ length: 600 }, (_, i) => Buffer.from([i & 0xff, i >> 8]))
    for (const frame of frames) writer.push(frame)
    expect(writes).toHaveLength(2)
    await new Promise((resolve) => process.nextTick(resolve))
    expect(writes).toHaveLength(3)
    expect(Buffer.concat(writes)).toEqual(framed(...frames))
  })

  test('a burst of large frames is written every EAGER_FLUSH_BYTES as it is queued', () => {
    const writes: Buffer[] = []
    const writer = new FrameWriter((data) => writes.push(data))
    const frame = Buffer.alloc(1000, 7)
    const perWrite = Math.ceil(EAGER_FLUSH_BYTES / (FRAME_HEADER_BYTES + frame.length))
    for (let i = 0; i < perWrite * 3; i++) writer.push(frame)
    expect(writes).toHaveLength(3)
    for (const write of writes) expect(write.length).toBe(perWrite * (FRAME_HEADER_BYTES + frame.length))
  })
})
