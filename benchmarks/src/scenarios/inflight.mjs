/**
 * Throughput with 1,000 calls in flight to one actor (or one pool of one thread or process): each sample issues
 * 1,000 `add(i, 1)` calls at once and ends when all results are back. harrow multiplexes the calls on the actor's
 * one channel; a pool hands a thread one task at a time. Samples alternate between the contenders.
 */
import { startForkserver, stopForkserver } from '@harrow/spawn-forkserver'
import { harrowActor, harrowLabel } from '../harrow.mjs'
import { PEERS } from '../peers.mjs'
import { rawPipe, rawPort } from '../raw.mjs'
import { row } from '../stats.mjs'

export const IN_FLIGHT = 1000

export default {
  id: 'inflight',
  title: 'Throughput with 1,000 calls in flight',
  how: `Each sample issues ${IN_FLIGHT.toLocaleString('en')} \`add(i, 1)\` calls at once to one actor, bare child, bare worker or one-thread pool and ends when the last result is back; the throughput is calls per second (1,000 / mean sample time), and samples alternate between the contenders after 3 untimed ones each.`,
  async run({ quick }) {
    const runs = quick ? 8 : 40
    const warmup = 3
    await startForkserver()
    const contenders = [
      { id: 'raw-port', label: 'bare `MessagePort`, pipelined (structured clone)', open: rawPort },
      { id: 'worker', label: harrowLabel('worker', '`portal.run` ×1,000'), open: () => harrowActor('worker'), baseline: 'raw-port' },
      ...PEERS.filter((p) => p.transport === 'worker').map((peer) => ({ id: peer.id, label: peer.label, open: () => peer.open(), baseline: 'raw-port' })),
      { id: 'raw-pipe', label: 'raw msgpackr over a socketpair, pipelined', open: rawPipe },
      { id: 'process', label: harrowLabel('process', '`portal.run` ×1,000'), open: () => harrowActor('process'), baseline: 'raw-pipe' },
      { id: 'forkserver', label: harrowLabel('forkserver', '`portal.run` ×1,000'), open: () => harrowActor('forkserver'), baseline: 'raw-pipe' },
      ...PEERS.filter((p) => p.transport === 'process').map((peer) => ({ id: peer.id, label: peer.label, open: () => peer.open(), baseline: 'raw-pipe' })),
    ]
    const open = []
    const samples = Object.fromEntries(contenders.map((c) => [c.id, []]))
    try {
      for (const contender of contenders) {
        const client = await contender.open()
        open.push({ ...contender, client, inflight: client.inflight ?? ((n) => Promise.all(Array.from({ length: n }, (_, i) => client.call(i, 1)))) })
      }
      for (let i = 0; i < warmup + runs; i++) {
        for (const { id, inflight } of open) {
          const started = performance.now()
          const results = await inflight(IN_FLIGHT)
          const elapsed = performance.now() - started
          if (results.length !== IN_FLIGHT || results[IN_FLIGHT - 1] !== IN_FLIGHT) throw new Error(`${id}: wrong results`)
          if (i >= warmup) samples[id].push(elapsed)
        }
      }
    } finally {
      for (const { client } of open) await client.close()
      await stopForkserver()
    }
    return { rows: contenders.map((c) => row(c.id, c.label, samples[c.id], { per: IN_FLIGHT, baseline: c.baseline })) }
  },
}
