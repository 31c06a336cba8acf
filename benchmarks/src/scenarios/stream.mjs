/**
 * Stream throughput of small messages: `portal.stream` of an async generator yielding the integers 0 to n-1, on
 * each backend, beside what the transport can carry without harrow (a bare worker posting batches of msgpack frames
 * in transferred ArrayBuffers; a bare child writing batches of length-prefixed msgpack frames to a socketpair) and
 * the codec alone (msgpackr encode + decode of the same frames in one thread). The pools have no streams.
 */
import { startForkserver, stopForkserver } from '@harrow/spawn-forkserver'
import { channelCodec } from '../fixtures/codec.mjs'
import { harrowActor, harrowLabel } from '../harrow.mjs'
import { asGeneratorStream, rawPipe, rawPort } from '../raw.mjs'
import { row } from '../stats.mjs'

/** The codec ceiling: encode and decode n frames shaped as harrow's stream items, in this thread. */
function codecOnly() {
  const sender = channelCodec()
  const receiver = channelCodec()
  return {
    async stream(n) {
      let count = 0
      for (let i = 0; i < n; i++) {
        receiver.decode(sender.encode([4, 1, i]))
        count++
      }
      return count
    },
    async close() {},
  }
}

export default {
  id: 'stream',
  title: 'Stream throughput, small messages',
  how: 'Each sample streams n small messages (the integers 0 to n-1) from an actor, bare worker or bare child to this thread and ends when the last one was taken; the throughput is messages per second (n / mean sample time). Samples alternate between the contenders after one untimed sample each. The floor drains the actors’ own async generator in a bare child and sends its items in messages of 256, as an actor’s stream does, with none of harrow’s runtime. The floor with task storage does the same inside an `AsyncLocalStorage` run, as an actor runs each task so that `currentTask()` works: on Node 20 and 22 every promise then runs hooks. piscina, tinypool and workerpool have no streams, so they are not in this table.',
  async run({ quick }) {
    const n = quick ? 100_000 : 500_000
    const runs = quick ? 4 : 12
    await startForkserver()
    const contenders = [
      { id: 'codec', label: 'msgpackr encode + decode, one thread (codec ceiling)', open: async () => codecOnly() },
      { id: 'raw-port', label: 'bare `MessagePort`, batches of 1,024 frames transferred', open: rawPort, baseline: 'codec' },
      { id: 'worker', label: harrowLabel('worker', '`portal.stream`'), open: () => harrowActor('worker'), baseline: 'raw-port' },
      { id: 'raw-pipe', label: 'raw socketpair, batches of 1,024 length-prefixed frames', open: rawPipe, baseline: 'codec' },
      {
        id: 'floor-pipe',
        label: "floor: a bare child draining the actors' async generator into messages of 256 items, over a socketpair",
        open: async () => asGeneratorStream(await rawPipe()),
        baseline: 'raw-pipe',
      },
      {
        id: 'floor-pipe-storage',
        label: 'floor with task storage: the same, drained inside an `AsyncLocalStorage` run, as an actor runs each task',
        open: async () => asGeneratorStream(await rawPipe(), { taskStorage: true }),
        baseline: 'raw-pipe',
      },
      { id: 'process', label: harrowLabel('process', '`portal.stream`'), open: () => harrowActor('process'), baseline: 'raw-pipe' },
      { id: 'forkserver', label: harrowLabel('forkserver', '`portal.stream`'), open: () => harrowActor('forkserver'), baseline: 'raw-pipe' },
    ]
    const open = []
    const samples = Object.fromEntries(contenders.map((c) => [c.id, []]))
    try {
      for (const contender of contenders) open.push({ ...contender, client: await contender.open() })
      for (let i = 0; i < 1 + runs; i++) {
        for (const { id, client } of open) {
          const started = performance.now()
          const count = await client.stream(n)
          const elapsed = performance.now() - started
          if (count !== n) throw new Error(`${id}: ${count} of ${n} messages`)
          if (i >= 1) samples[id].push(elapsed)
        }
      }
    } finally {
      for (const { client } of open) await client.close()
      await stopForkserver()
    }
    return { rows: contenders.map((c) => row(c.id, `${c.label}, n = ${n.toLocaleString('en')}`, samples[c.id], { per: n, baseline: c.baseline })) }
  },
}
