/**
 * Teardown of 10 and 100 idle actors: the time from `nursery.close()` until every actor is reaped (process and
 * forkserver: the OS processes are gone; worker: the threads have exited), beside the bare equivalent (closing the
 * pipe of N bare children, which then exit, until all are reaped; `worker.terminate()` of N bare workers). Actors
 * are started in batches of 10 and left idle; the machine settles before the clock starts.
 */
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { openNursery } from '@harrow/core'
import { configureForkserver, forkserverInfo, startForkserver, stopForkserver } from '@harrow/spawn-forkserver'
import '@harrow/spawn-process'
import '@harrow/spawn-worker'
import { TASKS } from '../harrow.mjs'
import { BARE_WORKER, bareChild } from '../raw.mjs'
import { row, sleep } from '../stats.mjs'
import { poolReady } from './parent-memory.mjs'

const BATCH = 10
const POOL_SIZE = 2

/** Start `n` things with `start(i)`, `BATCH` at a time. */
async function inBatches(n, start) {
  const out = []
  for (let i = 0; i < n; i += BATCH) out.push(...(await Promise.all(Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => start(i + k)))))
  return out
}

function alive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Let the machine settle: background boots of the forkserver's pool, exits of earlier samples. */
async function quiet() {
  if (forkserverInfo()) await poolReady(POOL_SIZE)
  await sleep(300)
}

async function harrowTeardown(spawnMethod, n) {
  const nursery = await openNursery({ spawnMethod })
  const portals = await inBatches(n, (i) => nursery.startActor(`idle-${i}`, { enableModules: [TASKS] }))
  const pids = portals.map((p) => p.actor.pid).filter((pid) => spawnMethod !== 'worker' && pid !== undefined)
  await quiet()
  const started = performance.now()
  await nursery.close()
  const elapsed = performance.now() - started
  const left = pids.filter(alive)
  if (left.length > 0) throw new Error(`${spawnMethod}: ${left.length} actors still alive after close()`)
  return elapsed
}

async function bareProcessTeardown(n) {
  const children = await inBatches(n, () => bareChild('idle'))
  await quiet()
  const started = performance.now()
  await Promise.all(children.map((c) => c.close()))
  return performance.now() - started
}

async function bareWorkerTeardown(n) {
  const workers = await inBatches(n, async () => {
    const worker = new Worker(BARE_WORKER)
    await once(worker, 'message')
    return worker
  })
  await quiet()
  const started = performance.now()
  await Promise.all(workers.map((w) => w.terminate()))
  return performance.now() - started
}

export default {
  id: 'teardown',
  title: 'Teardown of idle actors',
  how: "N actors (or bare children, or bare workers) are started in batches of 10 and left idle; each sample is the time from `nursery.close()` (bare: closing every child's pipe, or `worker.terminate()` on every worker) until all are reaped, checked afterwards by pid. Contenders alternate; the throughput is actors torn down per second.",
  async run({ quick }) {
    const reps = { 10: quick ? 2 : 8, 100: 4 }
    configureForkserver({ poolSize: POOL_SIZE })
    await startForkserver()
    const rows = []
    try {
      // --quick leaves out N = 100, whose untimed start-up of 500 actors and children is most of this scenario's time.
      for (const n of quick ? [10] : [10, 100]) {
        const contenders = [
          ['bare-process', `bare children (close the pipe), N = ${n}`, () => bareProcessTeardown(n)],
          ['process', `harrow \`process\` \`nursery.close()\`, N = ${n}`, () => harrowTeardown('process', n), 'bare-process'],
          ['forkserver', `harrow \`forkserver\` \`nursery.close()\`, N = ${n}`, () => harrowTeardown('forkserver', n), 'bare-process'],
          ['bare-worker', `bare workers (\`terminate()\`), N = ${n}`, () => bareWorkerTeardown(n)],
          ['worker', `harrow \`worker\` \`nursery.close()\`, N = ${n}`, () => harrowTeardown('worker', n), 'bare-worker'],
        ]
        const samples = Object.fromEntries(contenders.map(([id]) => [id, []]))
        for (let r = 0; r < reps[n]; r++) for (const [id, , measure] of contenders) samples[id].push(await measure())
        for (const [id, label, , baseline] of contenders)
          rows.push(row(`${id}-${n}`, label, samples[id], { per: n, ...(baseline ? { baseline: `${baseline}-${n}` } : {}) }))
      }
    } finally {
      await stopForkserver()
    }
    return { rows }
  },
}
