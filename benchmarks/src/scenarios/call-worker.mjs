/**
 * Call round trip on the worker transport: a bare MessagePort ping-pong of the same small message (`add(1, 2)`),
 * harrow's `portal.run` on the worker backend, and the peers' one-thread pools running the same task. Rounds of
 * calls alternate between the contenders, so that all see the same machine.
 */
import { harrowActor, harrowLabel } from '../harrow.mjs'
import { peersOn } from '../peers.mjs'
import { rawPort } from '../raw.mjs'
import { row } from '../stats.mjs'

/** Time `calls` calls of `call` one after another; each sample is one round trip, in ms. */
async function round(call, calls, into) {
  for (let i = 0; i < calls; i++) {
    const started = performance.now()
    await call(1, 2)
    into?.push(performance.now() - started)
  }
}

/**
 * The two cases of the call scenarios. Unpinned, the scheduler decides whether the two ends of a round trip share a
 * vCPU (a context switch) or wake each other across vCPUs (an inter-processor interrupt, which costs tens of
 * microseconds when the other vCPU is halted in this VM), and the same contender can land in either mode from one
 * run to the next. Pinned (the whole case under `taskset -c 0`), every contender pays one context switch per
 * message, and what differs is the CPU work of each.
 */
export const CALL_CASES = [
  { id: 'unpinned', label: 'unpinned' },
  { id: 'pinned', label: 'pinned to one vCPU', pin: '0' },
]

/** Rows of the `pinned` case get ids and labels of their own, and baselines in the same case. */
export function forCase(caseId, rows) {
  if (caseId !== 'pinned') return rows
  return rows.map((r) => ({ ...r, id: `pinned:${r.id}`, label: `pinned: ${r.label}`, ...(r.baseline ? { baseline: `pinned:${r.baseline}` } : {}) }))
}

/**
 * Run `rounds` rounds of `runs / rounds` sequential calls per contender, on `placements` fresh sets of them: every
 * contender is opened (and warmed up) again for each placement and closed after it. Unpinned, where the scheduler
 * puts the two ends of a channel decides which mode its round trips land in, and that lasts as long as the
 * channel; fresh placements give every contender the same mix of modes instead of one draw.
 * @param {{ id: string, label: string, open: () => Promise<{ call: (a: number, b: number) => Promise<unknown>, close: () => Promise<unknown> }>, baseline?: string }[]} contenders
 * @param {{ runs: number, rounds: number, warmup: number, placements?: number }} options
 */
export async function callRounds(contenders, { runs, rounds, warmup, placements = 1 }) {
  const samples = Object.fromEntries(contenders.map((c) => [c.id, []]))
  const per = Math.ceil(runs / rounds)
  for (let p = 0; p < placements; p++) {
    const open = []
    try {
      for (const contender of contenders) open.push({ ...contender, client: await contender.open() })
      for (const { client } of open) await round(client.call, warmup)
      for (let r = p; r < rounds; r += placements) for (const { id, client } of open) await round(client.call, per, samples[id])
    } finally {
      for (const { client } of open) await client.close()
    }
  }
  return contenders.map((c) => row(c.id, c.label, samples[c.id], { per: 1, baseline: c.baseline }))
}

export default {
  id: 'call-worker',
  title: 'Call round trip: worker transport',
  how: "One `add(1, 2)` call at a time, each sample one round trip from the call to its result; rounds of sequential calls alternate between the contenders, on 5 fresh sets of them (2 in --quick) so that no contender's figure rests on one placement by the scheduler (each set after 2,000 untimed calls per contender), and the throughput is one caller's sequential calls per second. The case is run twice, each in a fresh process: unpinned, and with the process and its threads pinned to one vCPU (`taskset -c 0`), where no round trip waits for a halted vCPU to wake.",
  cases: () => CALL_CASES,
  async run({ quick, caseId }) {
    const rows = await callRounds(
      [
        { id: 'raw-port', label: 'bare `MessagePort` ping-pong (structured clone)', open: rawPort },
        { id: 'worker', label: harrowLabel('worker', '`portal.run`'), open: () => harrowActor('worker'), baseline: 'raw-port' },
        ...peersOn('worker').map((peer) => ({ id: peer.id, label: peer.label, open: () => peer.open(), baseline: 'raw-port' })),
      ],
      { runs: quick ? 5000 : 30_000, rounds: quick ? 10 : 30, warmup: 2000, placements: quick ? 2 : 5 },
    )
    return { rows: forCase(caseId, rows) }
  },
}
