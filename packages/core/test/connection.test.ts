import { describe, expect, test } from 'vitest'
import type { ExitInfo, ProcHandle, Transport, TransportSink } from '../src/shared/contracts.js'
import { Codec } from '../src/wire/codec.js'
import { ActorConnection } from '../src/parent/connection.js'
import { ActorStream } from '../src/parent/stream.js'
import { FLOW_WINDOW } from '../src/wire/flow.js'
import { ProtocolError } from '../src/shared/errors.js'
import { Op, PROTOCOL_VERSION, TaskKind } from '../src/wire/protocol.js'

/** A transport whose peer is the test: it decodes what the parent sends and encodes what the "child" says. */
class ScriptedPeer implements Transport {
  readonly sent: unknown[] = []
  readonly #toParent = new Codec()
  readonly #fromParent = new Codec()
  #sink: TransportSink | undefined
  closed = false

  send(frame: Uint8Array): void {
    this.sent.push(this.#fromParent.decode(frame))
  }

  start(sink: TransportSink): void {
    this.#sink = sink
  }

  close(): void {
    this.closed = true
    this.#sink?.close()
  }

  say(...messages: unknown[][]): void {
    for (const message of messages) this.#sink?.frame(this.#toParent.encode(message))
  }

  raw(bytes: Uint8Array): void {
    this.#sink?.frame(bytes)
  }
}

const alive: ProcHandle = { pid: 1, exit: undefined, wait: () => new Promise<ExitInfo>(() => {}), terminate: () => {}, kill: () => {} }
const actor = { name: 'scripted', uid: 'u-1', spawnMethod: 'test' }
const hello = [Op.Hello, PROTOCOL_VERSION, 1, 0]

function connect(): { peer: ScriptedPeer; connection: ActorConnection } {
  const peer = new ScriptedPeer()
  return { peer, connection: new ActorConnection(peer, actor, alive) }
}

async function closedWith(connection: ActorConnection): Promise<ProtocolError> {
  const reason = await connection.closed
  expect(reason).toBeInstanceOf(ProtocolError)
  return reason as ProtocolError
}

describe('the parent end of a channel', () => {
  test('routes results to the task that waits for them', async () => {
    const { peer, connection } = connect()
    peer.say(hello, [Op.Ready])
    await connection.ready
    const results: unknown[] = []
    const cid = connection.start(TaskKind.Call, 'file:///m.js', 'f', [1], { kind: TaskKind.Call, settle: (ok, value) => results.push({ ok, value }) })
    expect(peer.sent.at(-1)).toEqual([Op.Start, cid, TaskKind.Call, [1, 'file:///m.js', 'f'], [1]])
    // The second call names the function by its id only.
    const again = connection.start(TaskKind.Call, 'file:///m.js', 'f', [2], { kind: TaskKind.Call, settle: () => {} })
    expect(peer.sent.at(-1)).toEqual([Op.Start, again, TaskKind.Call, 1, [2]])
    peer.say([Op.Return, cid, 'done'])
    expect(results).toEqual([{ ok: true, value: 'done' }])
  })

  test.each([
    ['a message before the hello', [[Op.Ready]]],
    ['a second hello', [hello, hello]],
    ['a result before ready', [hello, [Op.Return, 1, 'x']]],
    ['a result for a task that was never started', [hello, [Op.Ready], [Op.Return, 5, 'x']]],
    ['an item for a call', [hello, [Op.Ready], 'start-call', [Op.Yield, 1, 'x']]],
    ['items for a call', [hello, [Op.Ready], 'start-call', [Op.Items, 1, ['x', 'y']]]],
    ['a started value for a call', [hello, [Op.Ready], 'start-call', [Op.Started, 1, 'x']]],
    ['a call said to be waiting for credit', [hello, [Op.Ready], 'start-call', [Op.Blocked, 1]]],
    ['a second ready', [hello, [Op.Ready], [Op.Ready]]],
  ])('%s is an out-of-order ProtocolError that closes the channel', async (_, script) => {
    const { peer, connection } = connect()
    const settled: unknown[] = []
    for (const step of script) {
      if (step === 'start-call')
        connection.start(TaskKind.Call, 'file:///m.js', 'f', [], { kind: TaskKind.Call, settle: (ok, value) => settled.push({ ok, value }) })
      else peer.say(step as unknown[])
    }
    const error = await closedWith(connection)
    expect(error).toMatchObject({ violation: 'out-of-order', actor: { name: 'scripted' } })
    expect(peer.closed).toBe(true)
    // A task that was waiting learns why.
    for (const s of settled) expect(s).toMatchObject({ ok: false, value: error })
  })

  test('a batch of items reaches the stream in order, each counted with its share of the frame in whole bytes', async () => {
    const { peer, connection } = connect()
    peer.say(hello, [Op.Ready])
    await connection.ready
    const items: [unknown, number][] = []
    const cid = connection.start(TaskKind.Stream, 'file:///m.js', 'g', [], {
      kind: TaskKind.Stream,
      item: (value, bytes) => items.push([value, bytes]),
      settle: () => {},
    })
    // Arrays and strings define no record shapes: the frame is the same size from any codec.
    const bytes = new Codec().encode([Op.Items, cid, ['a', 'b', 'c']]).length
    peer.say([Op.Items, cid, ['a', 'b', 'c']])
    expect(items.map(([value]) => value)).toEqual(['a', 'b', 'c'])
    for (const [, share] of items) expect(Number.isInteger(share)).toBe(true)
    expect(items.reduce((sum, [, share]) => sum + share, 0)).toBe(bytes)
  })

  test("a stream whose child waits for credit while its consumer waits for items grows the child's window", async () => {
    const { peer, connection } = connect()
    peer.say(hello, [Op.Ready])
    await connection.ready
    const stream = new ActorStream<number>(connection, 'file:///m.js', 'g', [], undefined)
    const first = stream.next()
    const cid = (peer.sent.at(-1) as unknown[])[1] as number
    const window = Array.from({ length: FLOW_WINDOW }, (_, i) => i)
    peer.say([Op.Items, cid, window.slice(0, FLOW_WINDOW / 2)], [Op.Items, cid, window.slice(FLOW_WINDOW / 2)], [Op.Blocked, cid])
    expect((await first).value).toBe(0)
    for (let i = 1; i < FLOW_WINDOW; i++) expect((await stream.next()).value).toBe(i)
    const credits = (): unknown[][] => (peer.sent as unknown[][]).filter((m) => m[0] === Op.Credit)
    expect(credits().map((m) => m[2])).toEqual([FLOW_WINDOW / 2, FLOW_WINDOW / 2])
    // The consumer runs dry with nothing arrived since the child said it waits: a window more, at once.
    const next = stream.next()
    expect(credits().at(-1)).toEqual([Op.Credit, cid, FLOW_WINDOW, 0])
    peer.say([Op.Yield, cid, 'more'], [Op.Return, cid, undefined])
    expect((await next).value).toBe('more')
    expect((await stream.next()).done).toBe(true)
  })

  test('a stream starts with the window the streams before it on the connection grew to, granted at once; one stream at a time', async () => {
    const { peer, connection } = connect()
    peer.say(hello, [Op.Ready])
    await connection.ready
    const credits = (cid: number): unknown[][] => (peer.sent as unknown[][]).filter((m) => m[0] === Op.Credit && m[1] === cid)
    const first = new ActorStream<number>(connection, 'file:///m.js', 'g', [], undefined)
    const item = first.next()
    const cid = (peer.sent.at(-1) as unknown[])[1] as number
    expect(credits(cid)).toEqual([])
    // The child spends its window and waits; the consumer runs dry: the window doubles.
    peer.say([Op.Items, cid, Array.from({ length: FLOW_WINDOW }, (_, i) => i)], [Op.Blocked, cid])
    for (let i = 0; i < FLOW_WINDOW; i++) expect((i === 0 ? await item : await first.next()).value).toBe(i)
    const more = first.next()
    expect(credits(cid).at(-1)).toEqual([Op.Credit, cid, FLOW_WINDOW, 0])
    peer.say([Op.Return, cid, undefined])
    expect((await more).done).toBe(true)

    const second = new ActorStream<number>(connection, 'file:///m.js', 'g', [], undefined)
    const next = second.next()
    const start = peer.sent.length - 2
    const cid2 = (peer.sent[start] as unknown[])[1] as number
    expect((peer.sent[start] as unknown[])[0]).toBe(Op.Start)
    // Right after its Start: the child's first FLOW_WINDOW, plus this.
    expect(peer.sent[start + 1]).toEqual([Op.Credit, cid2, FLOW_WINDOW, 0])
    // While the second holds the window, a stream beside it starts with FLOW_WINDOW.
    const beside = new ActorStream<number>(connection, 'file:///m.js', 'g', [], undefined)
    const besideNext = beside.next()
    const cidBeside = (peer.sent.at(-1) as unknown[])[1] as number
    expect((peer.sent.at(-1) as unknown[])[0]).toBe(Op.Start)
    expect(credits(cidBeside)).toEqual([])
    peer.say([Op.Return, cid2, undefined], [Op.Return, cidBeside, undefined])
    expect((await next).done).toBe(true)
    expect((await besideNext).done).toBe(true)

    // A bound call may turn out to be a call: its head comes once the child says it streams.
    const bound = new ActorStream<number>(connection, 'file:///m.js', 'g', [], undefined, { streaming: () => {}, settled: () => {} })
    const cid3 = (peer.sent.at(-1) as unknown[])[1] as number
    expect(credits(cid3)).toEqual([])
    peer.say([Op.Started, cid3, undefined])
    expect(credits(cid3)).toEqual([[Op.Credit, cid3, FLOW_WINDOW, 0]])
    peer.say([Op.Return, cid3, undefined])
    expect((await bound.next()).done).toBe(true)
  })

  test('after CancelActor the parent writes nothing more: the actor ignores it, and a write could find it gone', async () => {
    const { peer, connection } = connect()
    peer.say(hello, [Op.Ready])
    await connection.ready
    const stream = connection.start(TaskKind.Stream, 'file:///m.js', 'g', [], { kind: TaskKind.Stream, item: () => {}, settle: () => {} })
    void connection.cancelActor(10_000)
    const sent = peer.sent.length
    expect(peer.sent.at(-1)).toEqual([Op.CancelActor])
    connection.send([Op.Credit, stream, 512, 1024])
    connection.cancelTask(stream)
    const late: unknown[] = []
    connection.start(TaskKind.Call, 'file:///m.js', 'f', [], { kind: TaskKind.Call, settle: (ok, value) => late.push({ ok, value }) })
    expect(peer.sent).toHaveLength(sent)
    // The call started after it settles when the channel closes, as every pending call does.
    peer.close()
    await connection.closed
    await new Promise((resolve) => setImmediate(resolve))
    expect(late).toMatchObject([{ ok: false }])
  })

  test('a different protocol version is refused', async () => {
    const { peer, connection } = connect()
    peer.say([Op.Hello, PROTOCOL_VERSION + 1, 1, 0])
    expect(await closedWith(connection)).toMatchObject({ violation: 'version' })
  })

  test('bytes that are not msgpack, or msgpack of the wrong shape, are malformed', async () => {
    const garbage = connect()
    garbage.peer.raw(new Uint8Array([0xc1]))
    expect(await closedWith(garbage.connection)).toMatchObject({ violation: 'malformed' })

    const shapeless = connect()
    shapeless.peer.say(hello)
    shapeless.peer.raw(new Codec().encode({ not: 'a message' }))
    expect(await closedWith(shapeless.connection)).toMatchObject({ violation: 'malformed' })
  })
})
