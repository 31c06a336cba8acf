/**
 * Why an unpinned call round trip is slow (issue #19): the raw port, harrow's worker actor and piscina, one thread
 * each, their rounds of sequential `add(1, 2)` calls alternating in one process as in the `call-worker` scenario.
 * For each it prints the distribution of round trips (p10 to p90), the share of them under `--fast` µs (both ends
 * on one vCPU: a context switch, not a halted vCPU's wake-up) and, per thread of this process, the voluntary
 * (it slept) and involuntary (it was preempted) context switches per call, from /proc/self/task/<tid>/status.
 *
 *   node benchmarks/src/call-modes.mjs [--rounds 20] [--calls 500] [--fast 45]
 */
import { readFileSync, readdirSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { harrowActor } from './harrow.mjs'
import { peersOn } from './peers.mjs'
import { rawPort } from './raw.mjs'

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '20' }, calls: { type: 'string', default: '500' }, fast: { type: 'string', default: '45' } },
})
const rounds = Number(values.rounds)
const calls = Number(values.calls)
const fast = Number(values.fast)

/** Context switches of every thread of this process: tid → [voluntary, involuntary]. */
function switches() {
  const out = new Map()
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const status = readFileSync(`/proc/self/task/${tid}/status`, 'utf8')
      out.set(tid, [Number(/\nvoluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1]), Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1])])
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out
}

const contenders = [
  { id: 'raw-port', client: await rawPort() },
  { id: 'harrow', client: await harrowActor('worker') },
  ...(await Promise.all(
    peersOn('worker')
      .filter((peer) => peer.id.startsWith('piscina'))
      .map(async (peer) => ({ id: peer.id, client: await peer.open() })),
  )),
]
try {
  for (const { client } of contenders) for (let i = 0; i < 2000; i++) await client.call(1, 2)
  const samples = new Map(contenders.map(({ id }) => [id, []]))
  const perThread = new Map(contenders.map(({ id }) => [id, new Map()]))
  for (let r = 0; r < rounds; r++) {
    for (const { id, client } of contenders) {
      const before = switches()
      for (let i = 0; i < calls; i++) {
        const started = performance.now()
        await client.call(1, 2)
        samples.get(id).push((performance.now() - started) * 1000)
      }
      for (const [tid, [voluntary, involuntary]] of switches()) {
        const was = before.get(tid)
        if (!was) continue
        const sum = perThread.get(id).get(tid) ?? [0, 0]
        perThread.get(id).set(tid, [sum[0] + voluntary - was[0], sum[1] + involuntary - was[1]])
      }
    }
  }
  for (const { id } of contenders) {
    const sorted = samples.get(id).sort((a, b) => a - b)
    const at = (q) => sorted[Math.floor(q * sorted.length)].toFixed(0)
    const share = sorted.filter((x) => x < fast).length / sorted.length
    const threads = [...perThread.get(id)]
      .filter(([, [voluntary, involuntary]]) => voluntary + involuntary > sorted.length / 50)
      .map(([tid, [voluntary, involuntary]]) => `${tid} ${(voluntary / sorted.length).toFixed(2)}/${(involuntary / sorted.length).toFixed(2)}`)
    console.log(
      `${id.padEnd(16)} p10-p90 µs ${[0.1, 0.25, 0.5, 0.75, 0.9].map(at).join(' ')}  under ${fast} µs ${(share * 100).toFixed(0)}%  switches per call (voluntary/involuntary) ${threads.join(', ')}`,
    )
  }
} finally {
  for (const { client } of contenders) await client.close()
}
