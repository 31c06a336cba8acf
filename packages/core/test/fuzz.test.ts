// Property-based fuzzing of everything that reads bytes or messages from a peer:
// whatever arrives, the outcome is frames, or a ProtocolError for that channel;
// never a crash, a hang, or an allocation the peer chose.
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { ExitInfo, ProcHandle, Transport, TransportSink } from '../src/shared/contracts.js'
import { Channel } from '../src/wire/channel.js'
import { Codec } from '../src/wire/codec.js'
import { ActorConnection } from '../src/parent/connection.js'
import { ProtocolError } from '../src/shared/errors.js'
import { FrameDecoder } from '../src/wire/frames.js'
import { FLOW_WINDOW } from '../src/wire/flow.js'
import { Op, PROTOCOL_VERSION, TaskKind, asParentMessage, type ChildMessage, type ParentMessage } from '../src/wire/protocol.js'
import { ActorServer } from '../src/actor/serve.js'

const RUNS = Number(process.env.HARROW_FUZZ_RUNS ?? 300)

class Peer implements Transport {
  readonly sent: Uint8Array[] = []
  sink: TransportSink | undefined
  closed = false
  send(frame: Uint8Array): void {
    this.sent.push(frame)
  }
  start(sink: TransportSink): void {
    this.sink = sink
  }
  close(): void {
    this.closed = true
    this.sink?.close()
  }
}

const alive: ProcHandle = { pid: 1, exit: undefined, wait: () => new Promise<ExitInfo>(() => {}), terminate: () => {}, kill: () => {} }
const actor = { name: 'fuzzed', uid: 'u', spawnMethod: 'test' }

/** Child messages of plausible shapes with random fields, valid or not. */
const childMessage = fc.oneof(
  fc.constant([Op.Hello, PROTOCOL_VERSION, 1, 0]),
  fc.constant([Op.Ready]),
  fc.constant([Op.CancelAck]),
  fc.tuple(fc.constantFrom(Op.Yield, Op.Started, Op.Return), fc.integer({ min: -2, max: 6 }), fc.anything()),
  fc.tuple(fc.constant(Op.Items), fc.integer({ min: -2, max: 6 }), fc.oneof(fc.array(fc.anything(), { maxLength: 4 }), fc.anything())),
  fc.tuple(fc.constant(Op.Credit), fc.integer({ min: -2, max: 6 }), fc.integer({ min: -5, max: 5 }), fc.integer({ min: -5, max: 1 << 20 })),
  fc.tuple(fc.constant(Op.Blocked), fc.integer({ min: -2, max: 6 })),
  fc.tuple(
    fc.constant(Op.Error),
    fc.integer({ min: 0, max: 6 }),
    fc.oneof(fc.anything(), fc.constant({ type: 'E', message: 'm', stack: '', src: actor, relayPath: [actor] })),
  ),
  fc.array(fc.anything(), { maxLength: 7 }),
  fc.anything(),
)

describe('fuzzing what peers send', () => {
  test('the frame decoder turns any byte stream into frames or an oversized ProtocolError, allocating only what the limit allows', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }), fc.integer({ min: 0, max: 512 }), (chunks, max) => {
        const decoder = new FrameDecoder(max)
        try {
          for (const chunk of chunks) {
            decoder.push(Buffer.from(chunk), (frame) => {
              expect(frame.length).toBeLessThanOrEqual(max)
            })
            expect(decoder.buffered).toBeLessThanOrEqual(max + 4 + 300)
          }
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError)
          expect((error as ProtocolError).violation).toBe('oversized')
        }
      }),
      { numRuns: RUNS },
    )
  })

  test('a huge length prefix is refused at once, however it is split', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1025, max: 0xffffffff }), fc.integer({ min: 1, max: 4 }), (length, split) => {
        const header = Buffer.alloc(4)
        header.writeUInt32BE(length)
        const decoder = new FrameDecoder(1024)
        expect(() => {
          decoder.push(header.subarray(0, split), () => {})
          decoder.push(header.subarray(split), () => {})
        }).toThrow(ProtocolError)
      }),
      { numRuns: RUNS },
    )
  })

  test('random bytes on a channel close it with a ProtocolError, never a throw', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 1, maxLength: 8 }), (frames) => {
        const peer = new Peer()
        let closedWith: Error | undefined | null = null
        new Channel<ParentMessage, ChildMessage>(peer, asParentMessage, { message: () => {}, closed: (error) => (closedWith = error) })
        for (const frame of frames) peer.sink?.frame(frame)
        if (closedWith !== null) expect(closedWith).toBeInstanceOf(ProtocolError)
      }),
      { numRuns: RUNS },
    )
  })

  test('any sequence of messages from a child ends in serving or a ProtocolError, and every waiting call settles', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(childMessage, { maxLength: 12 }), fc.integer({ min: 0, max: 3 }), async (messages, calls) => {
        const peer = new Peer()
        const codec = new Codec()
        const connection = new ActorConnection(peer, actor, alive)
        const settled: boolean[] = []
        for (let i = 0; i < calls; i++) {
          const index = settled.push(false) - 1
          connection.start(TaskKind.Call, 'file:///m.js', 'f', [], { kind: TaskKind.Call, settle: () => (settled[index] = true) })
        }
        for (const message of messages) {
          let bytes: Uint8Array
          try {
            bytes = codec.encode(message)
          } catch {
            continue
          }
          peer.sink?.frame(bytes)
        }
        if (connection.isClosed) {
          expect(await connection.closed).toBeInstanceOf(ProtocolError)
          expect(settled.every(Boolean)).toBe(true)
        }
      }),
      { numRuns: RUNS },
    )
  })

  test('any sequence of messages from a parent is served or refused with a ProtocolError, and the server never throws anything else', async () => {
    const parentMessage = fc.oneof(
      fc.tuple(
        fc.constant(Op.Start),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(TaskKind.Call, TaskKind.Stream, TaskKind.Context),
        fc.oneof(
          fc.integer({ min: 1, max: 4 }),
          fc.tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom('file:///enabled.js', 'file:///other.js'), fc.constantFrom('fn', 'gen', 'ctx', 'missing')),
        ),
        fc.array(fc.anything(), { maxLength: 2 }),
      ),
      fc.tuple(fc.constantFrom(Op.Cancel, Op.End, Op.Blocked), fc.integer({ min: 1, max: 8 })),
      fc.tuple(fc.constant(Op.Credit), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: FLOW_WINDOW }), fc.integer({ min: 0, max: 1 << 24 })),
      fc.tuple(fc.constant(Op.Send), fc.integer({ min: 1, max: 8 }), fc.anything()),
    )
    const { context } = await import('../src/actor/task.js')
    const modules = new Map<string, Record<string, unknown>>([
      [
        'file:///enabled.js',
        {
          fn: (...args: unknown[]) => args.length,
          gen: function* () {
            yield 1
            yield 2
          },
          ctx: context(async (ctx) => {
            ctx.started('go')
            for await (const value of ctx) await ctx.send(value)
            return 'done'
          }),
        },
      ],
    ])
    await fc.assert(
      fc.asyncProperty(fc.array(parentMessage, { maxLength: 10 }), async (messages) => {
        const peer = new Peer()
        const channel = new Channel<ParentMessage, ChildMessage>(peer, asParentMessage, { message: () => {}, closed: () => {} })
        const server = new ActorServer(channel, actor, { ...actor, pid: 1 }, modules)
        const started = new Set<number>()
        for (const message of messages) {
          try {
            server.handle(asParentMessage(message))
            if (message[0] === Op.Start) started.add(message[1])
          } catch (error) {
            expect(error).toBeInstanceOf(ProtocolError)
            break
          }
        }
        // Cancelling everything must settle every task, not hang.
        await server.cancelAll()
        expect(server.running).toBe(0)
        // Every started task answered exactly once (frames decode in order with one codec per direction).
        const reader = new Codec()
        const terminals = new Map<number, number>()
        for (const frame of peer.sent) {
          const sent = reader.decode(frame) as unknown[]
          if (sent[0] === Op.Return || sent[0] === Op.Error) terminals.set(sent[1] as number, (terminals.get(sent[1] as number) ?? 0) + 1)
        }
        expect(new Set(terminals.keys())).toEqual(started)
        for (const count of terminals.values()) expect(count).toBe(1)
      }),
      { numRuns: RUNS },
    )
  })
})
