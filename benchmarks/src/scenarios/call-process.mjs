/**
 * Call round trip on the process transports: raw length-prefixed msgpackr ping-pong with a bare child over an
 * inherited socketpair, harrow's `portal.run` on the process and forkserver backends, and tinypool's
 * child_process runtime with one process. Rounds alternate between the contenders.
 */
import { startForkserver, stopForkserver } from '@harrow/spawn-forkserver'
import { harrowActor, harrowLabel } from '../harrow.mjs'
import { peersOn } from '../peers.mjs'
import { rawPipe } from '../raw.mjs'
import { CALL_CASES, callRounds, forCase } from './call-worker.mjs'

export default {
  id: 'call-process',
  title: 'Call round trip: process transports',
  how: "One `add(1, 2)` call at a time over a socket to another process, each sample one round trip; rounds of sequential calls alternate between the contenders, on 5 fresh sets of them (2 in --quick) so that no contender's figure rests on one placement by the scheduler (each set after 2,000 untimed calls per contender). The raw baseline encodes the same message shape with msgpackr and frames it with a 4-byte length, as harrow does. Run unpinned and pinned to one vCPU (`taskset -c 0`, inherited by every child process), each in a fresh process.",
  cases: () => CALL_CASES,
  async run({ quick, caseId }) {
    await startForkserver()
    try {
      const rows = await callRounds(
        [
          { id: 'raw-pipe', label: 'raw msgpackr ping-pong over a socketpair', open: rawPipe },
          { id: 'process', label: harrowLabel('process', '`portal.run`'), open: () => harrowActor('process'), baseline: 'raw-pipe' },
          { id: 'forkserver', label: harrowLabel('forkserver', '`portal.run`'), open: () => harrowActor('forkserver'), baseline: 'raw-pipe' },
          ...peersOn('process').map((peer) => ({ id: peer.id, label: peer.label, open: () => peer.open(), baseline: 'raw-pipe' })),
        ],
        { runs: quick ? 3000 : 20_000, rounds: quick ? 6 : 20, warmup: 2000, placements: quick ? 2 : 5 },
      )
      return { rows: forCase(caseId, rows) }
    } finally {
      await stopForkserver()
    }
  },
}
