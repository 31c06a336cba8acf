import { describe, expect, test } from 'vitest'
import type { Transport, TransportSink } from '../src/shared/contracts.js'
import { ActorServer } from '../src/actor/serve.js'
import { Channel } from '../src/wire/channel.js'
import { Codec } from '../src/wire/codec.js'
import { FLOW_WINDOW } from '../src/wire/flow.js'
import { Op, TaskKind, asParentMessage, type ChildMessage, type ParentMessage } from '../src/wire/protocol.js'

class Peer implements Transport {
  readonly sent: Uint8Array[] = []
  send(frame: Uint8Array): void {
    this.sent.push(frame)
  }
  start(_sink: TransportSink): void {}
  close(): void {}
}

const actor = { name: 'batching', uid: 'u', spawnMethod: 'test' }
const MODULE = 'file:///streams.js'
const large = 'x'.repeat(100_000)

function serve(namespace: Record<string, unknown>, maxFrameSize?: number): { server: ActorServer; peer: Peer; messages: () => unknown[][] } {
  const peer = new Peer()
  const channel = new Channel<ParentMessage, ChildMessage>(peer, asParentMessage, { message: () => {}, closed: () => {} })
  const server = new ActorServer(channel, actor, { ...actor, pid: 1 }, new Map([[MODULE, namespace]]), maxFrameSize)
  const reader = new Codec()
  let read = 0
  const decoded: unknown[][] = []
  return {
    server,
    peer,
    messages: () => {
      for (; read < peer.sent.length; read++) decoded.push(reader.decode(peer.sent[read] as Uint8Array) as unknown[])
      return decoded
    },
  }
}

/** The items of task 1 in the order they were sent, and the message that ended it. */
function itemsOf(messages: unknown[][]): { items: unknown[]; end: unknown[] | undefined } {
  const items: unknown[] = []
  let end: unknown[] | undefined
  for (const message of messages) {
    if (message[0] === Op.Yield) items.push(message[2])
    else if (message[0] === Op.Items) items.push(...(message[2] as unknown[]))
    else if (message[0] === Op.Return || message[0] === Op.Error) end = message
  }
  return { items, end }
}

const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('stream items travel in batches', () => {
  test('small items share frames; a large item goes alone, in its place; what was yielded before a failure arrives before it', async () => {
    const yielded = [...Array.from({ length: 300 }, (_, i) => i), large, { id: 1, tags: ['a'] }, 'tail', null, true]
    const { server, messages } = serve({
      *mixed() {
        for (const item of yielded) yield item
        throw new Error('after the items')
      },
    })
    server.handle(asParentMessage([Op.Start, 1, TaskKind.Stream, [1, MODULE, 'mixed'], []]))
    for (let i = 0; i < 20 && itemsOf(messages()).end === undefined; i++) await settled()
    const { items, end } = itemsOf(messages())
    expect(items).toEqual(yielded)
    expect(end?.[0]).toBe(Op.Error)
    // 300 small items then 3 more in at most a handful of frames, not one frame each.
    expect(messages().length).toBeLessThan(10)
  })

  test('an object the generator changes after its yield arrives as it was at the yield', async () => {
    const { server, messages } = serve({
      *reused() {
        const item = { n: 0 }
        for (let i = 0; i < 5; i++) {
          item.n = i
          yield item
        }
      },
    })
    server.handle(asParentMessage([Op.Start, 1, TaskKind.Stream, [1, MODULE, 'reused'], []]))
    for (let i = 0; i < 20 && itemsOf(messages()).end === undefined; i++) await settled()
    expect(itemsOf(messages()).items).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })))
  })

  test('a batch stays within a small maxFrameSize', async () => {
    const { server, peer, messages } = serve(
      {
        *strings() {
          for (let i = 0; i < 300; i++) yield 'x'.repeat(100)
        },
      },
      4096,
    )
    server.handle(asParentMessage([Op.Start, 1, TaskKind.Stream, [1, MODULE, 'strings'], []]))
    for (let i = 0; i < 20 && itemsOf(messages()).end === undefined; i++) await settled()
    expect(itemsOf(messages()).items).toHaveLength(300)
    for (const frame of peer.sent) expect(frame.length).toBeLessThanOrEqual(4096)
    expect(peer.sent.length).toBeLessThan(300)
  })

  test('a batch counts against the flow window item by item: without credit, one window is sent and the generator waits', async () => {
    let produced = 0
    const { server, messages } = serve({
      *endless() {
        for (;;) yield produced++
      },
    })
    server.handle(asParentMessage([Op.Start, 1, TaskKind.Stream, [1, MODULE, 'endless'], []]))
    for (let i = 0; i < 20; i++) await settled()
    expect(itemsOf(messages()).items).toHaveLength(FLOW_WINDOW)
    expect(produced).toBeLessThanOrEqual(FLOW_WINDOW + 1)
    server.handle(asParentMessage([Op.Credit, 1, FLOW_WINDOW / 2, 100]))
    for (let i = 0; i < 20; i++) await settled()
    expect(itemsOf(messages()).items).toHaveLength(FLOW_WINDOW + FLOW_WINDOW / 2)
    await server.cancelAll()
  })

  test('a generator that spends its window says so after its last item; credit it is granted beyond the window is used', async () => {
    let produced = 0
    const { server, messages } = serve({
      *endless() {
        for (;;) yield produced++
      },
    })
    server.handle(asParentMessage([Op.Start, 1, TaskKind.Stream, [1, MODULE, 'endless'], []]))
    for (let i = 0; i < 20; i++) await settled()
    expect(messages().at(-1)).toEqual([Op.Blocked, 1])
    expect(messages().filter((m) => m[0] === Op.Blocked)).toHaveLength(1)
    // The parent grew the window: a whole window more, with no byte credit.
    server.handle(asParentMessage([Op.Credit, 1, 4 * FLOW_WINDOW, 0]))
    for (let i = 0; i < 40; i++) await settled()
    expect(itemsOf(messages()).items).toHaveLength(5 * FLOW_WINDOW)
    expect(messages().at(-1)).toEqual([Op.Blocked, 1])
    await server.cancelAll()
  })

  test('a generator that never awaits I/O lets the event loop turn every FLOW_WINDOW items, however large its window', async () => {
    let produced = 0
    const { server } = serve({
      *endless() {
        for (;;) yield produced++
      },
    })
    server.handle(asParentMessage([Op.Start, 1, TaskKind.Stream, [1, MODULE, 'endless'], []]))
    for (let i = 0; i < 20; i++) await settled()
    server.handle(asParentMessage([Op.Credit, 1, 64 * FLOW_WINDOW, 0]))
    // Each turn of the loop sees at most a window more: the actor reads its channel (credit, a cancel) in between.
    const seen = [produced]
    for (let i = 0; i < 4; i++) {
      await settled()
      seen.push(produced)
    }
    for (let i = 1; i < seen.length; i++) expect((seen[i] as number) - (seen[i - 1] as number)).toBeLessThanOrEqual(FLOW_WINDOW + 1)
    expect(seen.at(-1)).toBeGreaterThan(FLOW_WINDOW + 1)
    await server.cancelAll()
  })

  test('a context that sends without credit says so after its last send; one that the parent said waits grows its window', async () => {
    const { context } = await import('../src/actor/task.js')
    const received: unknown[] = []
    const { server, messages } = serve({
      chatty: context(async (ctx) => {
        ctx.started()
        for (let i = 0; ; i++) await ctx.send(i)
      }),
      reader: context(async (ctx) => {
        ctx.started()
        for await (const value of ctx) received.push(value)
      }),
    })
    server.handle(asParentMessage([Op.Start, 1, TaskKind.Context, [1, MODULE, 'chatty'], []]))
    for (let i = 0; i < 20; i++) await settled()
    const yields = messages().filter((m) => m[0] === Op.Yield && m[1] === 1)
    expect(yields).toHaveLength(FLOW_WINDOW)
    expect(messages().at(-1)).toEqual([Op.Blocked, 1])

    // The other way: the parent sent a window and waits; the context reads it all and runs dry.
    server.handle(asParentMessage([Op.Start, 2, TaskKind.Context, [2, MODULE, 'reader'], []]))
    for (let i = 0; i < FLOW_WINDOW; i++) server.handle(asParentMessage([Op.Send, 2, i]), 3)
    server.handle(asParentMessage([Op.Blocked, 2]))
    for (let i = 0; i < 20; i++) await settled()
    expect(received).toHaveLength(FLOW_WINDOW)
    const credits = messages().filter((m) => m[0] === Op.Credit && m[1] === 2)
    expect(credits.at(-1)).toEqual([Op.Credit, 2, FLOW_WINDOW, 0])
    await server.cancelAll()
  })
})
