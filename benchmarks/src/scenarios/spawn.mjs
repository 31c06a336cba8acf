/**
 * Spawn to first call: a harrow actor on each backend from `startActor` to the result of its first `run(add)`,
 * beside the bare primitive each builds on (a bare `child_process.spawn` of node to the child's first byte on an
 * inherited pipe, a bare `new Worker()` to its first message) and the peers' start-up (a pool of one thread or
 * process from its constructor to the result of its first task). Every iteration takes one sample of each
 * contender, in an order that rotates, so all see the same machine; teardown is not timed.
 */
import { openNursery, ref } from '@harrow/core'
import { configureForkserver, startForkserver, stopForkserver } from '@harrow/spawn-forkserver'
import '@harrow/spawn-process'
import { startWorkerSpares, stopWorkerSpares } from '@harrow/spawn-worker'
import { fetchRuntime } from '../../../scripts/runtimes.mjs'
import { PEERS } from '../peers.mjs'
import { bareChild, bareWorkerOnce } from '../raw.mjs'
import { rotatingSamples, row } from '../stats.mjs'
import { poolReady } from './parent-memory.mjs'

const TASKS = new URL('../fixtures/tasks.mjs', import.meta.url)
const add = ref(TASKS, 'add')
const POOL_SIZE = 2

/** One actor on `spawnMethod`: startActor + first run, timed; the nursery's close (reaping it) is not. */
export async function harrowOnce(spawnMethod, options = {}) {
  const nursery = await openNursery({ spawnMethod })
  try {
    const started = performance.now()
    const portal = await nursery.startActor('bench', { enableModules: [TASKS], ...options })
    await portal.run(add, [1, 2])
    return performance.now() - started
  } finally {
    await nursery.close()
  }
}

async function bareSpawnOnce() {
  const child = await bareChild('first-byte')
  await child.close()
  return child.elapsed
}

function peerOnce(peer) {
  return async () => {
    const started = performance.now()
    const pool = await peer.open()
    const elapsed = performance.now() - started
    await pool.close()
    return elapsed
  }
}

/**
 * Cold spawn of a `'process'` actor on the pinned Node 24 (`ActorOptions.execPath`), with and without the
 * module compile cache (Node >= 22.1), beside the rows above on this Node: from the npm registry through
 * scripts/runtimes.mjs; left out, with a note, where it cannot be fetched.
 */
function otherNodeContenders() {
  let node24
  try {
    node24 = fetchRuntime('node24')
  } catch (error) {
    process.stderr.write(`spawn: no Node 24 to compare with (${error.message.split('\n')[0]})\n`)
    return []
  }
  return [
    {
      id: 'process-node24',
      label: 'harrow `process` on Node 24 (`execPath`, compile cache on): `startActor` + first `run`',
      once: () => harrowOnce('process', { execPath: node24 }),
      baseline: 'bare-spawn',
    },
    {
      id: 'process-node24-no-cache',
      label: 'harrow `process` on Node 24 (`HARROW_COMPILE_CACHE=0`): `startActor` + first `run`',
      once: () => harrowOnce('process', { execPath: node24, env: { HARROW_COMPILE_CACHE: '0' } }),
      baseline: 'bare-spawn',
    },
  ]
}

export default {
  id: 'spawn',
  title: 'Spawn to first call',
  how: 'Each sample starts one actor (or bare child, or pool) and ends when the result of its first call (or first byte, or first message) is back; every iteration samples each contender once, in a rotating order, and the teardown in between is not timed. The forkserver contender waits for its pool of 2 warm children to be full before each sample; the spare-thread contender starts one spare (`startWorkerSpares(1)`) and waits for it to boot before each sample, and ends the spares after it.',
  async run({ quick }) {
    const runs = quick ? 8 : 60
    const warmup = quick ? 2 : 5
    configureForkserver({ poolSize: POOL_SIZE })
    await startForkserver()
    const contenders = [
      { id: 'bare-spawn', label: 'bare `child_process.spawn` to first byte on fd 3', once: bareSpawnOnce },
      { id: 'process', label: 'harrow `process`: `startActor` + first `run`', once: () => harrowOnce('process'), baseline: 'bare-spawn' },
      {
        id: 'forkserver',
        label: 'harrow `forkserver` (warm): `startActor` + first `run`',
        once: async () => {
          await poolReady(POOL_SIZE)
          const elapsed = await harrowOnce('forkserver')
          // The replacement child boots in the background: not while the next contender is timed.
          await poolReady(POOL_SIZE)
          return elapsed
        },
        baseline: 'bare-spawn',
      },
      ...otherNodeContenders(),
      { id: 'bare-worker', label: 'bare `new Worker()` to first message', once: bareWorkerOnce },
      { id: 'worker', label: 'harrow `worker`: `startActor` + first `run`', once: () => harrowOnce('worker'), baseline: 'bare-worker' },
      {
        id: 'worker-spare',
        label: 'harrow `worker` (spare thread ready): `startActor` + first `run`',
        once: async () => {
          await startWorkerSpares(1)
          const elapsed = await harrowOnce('worker')
          // The replacement spare boots in the background: not while the next contender is timed, nor taken by it.
          await startWorkerSpares(1)
          await stopWorkerSpares()
          return elapsed
        },
        baseline: 'bare-worker',
      },
      ...PEERS.map((peer) => ({
        id: peer.id,
        label: `${peer.label}: new pool + first task`,
        once: peerOnce(peer),
        baseline: peer.transport === 'worker' ? 'bare-worker' : 'bare-spawn',
      })),
    ]
    let samples
    try {
      samples = await rotatingSamples(contenders, { runs, warmup })
    } finally {
      await stopWorkerSpares()
      await stopForkserver()
    }
    return { rows: contenders.map((c) => row(c.id, c.label, samples[c.id], { per: 1, baseline: c.baseline })) }
  },
}
