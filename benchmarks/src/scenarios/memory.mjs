/**
 * Memory of one idle actor. Process and forkserver actors are processes of their own: what is counted is each
 * actor process's resident set (VmRSS in /proc/<pid>/status) and its proportional share (Pss in
 * /proc/<pid>/smaps_rollup, which splits pages shared with other processes, such as node's own code, between them),
 * beside a bare idle node child. A worker actor lives in this process: what is counted is the growth of this
 * process's RSS per thread, K actors at a time (after a GC here), beside K bare idle workers.
 */
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import { openNursery } from '@harrow/core'
import { configureForkserver, forkserverInfo, startForkserver, stopForkserver } from '@harrow/spawn-forkserver'
import '@harrow/spawn-process'
import '@harrow/spawn-worker'
import { TASKS } from '../harrow.mjs'
import { BARE_WORKER, bareChild } from '../raw.mjs'
import { row, sleep } from '../stats.mjs'
import { poolReady } from './parent-memory.mjs'

const MiB = 1024 * 1024
const POOL_SIZE = 2

/** VmRSS and Pss of a process, in MiB. */
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024
  let pss = Number.NaN
  try {
    pss = Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN) / 1024
  } catch {
    // smaps_rollup needs Linux 4.14: Pss is then left out.
  }
  return { rss, pss }
}

/** Let K idle actors settle (their boot garbage collected by V8's idle-time GC, or not) before measuring. */
const SETTLE_MS = 1000

async function processActors(spawnMethod, k) {
  const nursery = await openNursery({ spawnMethod })
  try {
    const portals = []
    for (let i = 0; i < k; i++) portals.push(await nursery.startActor(`idle-${i}`, { enableModules: [TASKS] }))
    if (spawnMethod === 'forkserver') await poolReady(POOL_SIZE)
    await sleep(SETTLE_MS)
    return portals.map((p) => memoryOf(p.actor.pid))
  } finally {
    await nursery.close()
  }
}

async function bareChildren(k) {
  const children = []
  try {
    for (let i = 0; i < k; i++) children.push(await bareChild('idle'))
    await sleep(SETTLE_MS)
    return children.map((c) => memoryOf(c.child.pid))
  } finally {
    await Promise.all(children.map((c) => c.close()))
  }
}

/** This process's RSS growth per thread, in MiB, with K threads started by `start` and stopped by `stop`. */
async function perThread(k, start, stop) {
  globalThis.gc?.()
  await sleep(200)
  const before = process.memoryUsage().rss
  const started = []
  try {
    for (let i = 0; i < k; i++) started.push(await start(i))
    await sleep(SETTLE_MS)
    globalThis.gc?.()
    return (process.memoryUsage().rss - before) / MiB / k
  } finally {
    await stop(started)
  }
}

async function workerActorsDelta(k) {
  const nursery = await openNursery({ spawnMethod: 'worker' })
  return perThread(
    k,
    (i) => nursery.startActor(`idle-${i}`, { enableModules: [TASKS] }),
    () => nursery.close(),
  )
}

function bareWorkersDelta(k) {
  return perThread(
    k,
    async () => {
      const worker = new Worker(BARE_WORKER)
      await once(worker, 'message')
      return worker
    },
    (workers) => Promise.all(workers.map((w) => w.terminate())),
  )
}

export default {
  id: 'memory',
  title: 'Memory of one idle actor',
  how: "Process and forkserver rows: the resident set (VmRSS) of each idle actor process, K at a time, 1 s after it started, beside bare idle node children (the samples are actors); Pss, which shares node's own pages out between processes, is in the notes. Worker rows: this process's RSS growth divided by K, with K idle actors (or bare workers) started, 1 s after the last, after a GC here (the samples are repetitions).",
  cases: () => [{ id: 'default', nodeFlags: ['--expose-gc'] }],
  async run({ quick }) {
    const k = quick ? 4 : 10
    const reps = quick ? 1 : 3
    configureForkserver({ poolSize: POOL_SIZE })
    await startForkserver()
    const mem = { 'bare-process': [], process: [], forkserver: [] }
    const threads = { 'bare-worker': [], worker: [] }
    let server
    try {
      for (let r = 0; r < reps; r++) {
        mem['bare-process'].push(...(await bareChildren(k)))
        mem.process.push(...(await processActors('process', k)))
        mem.forkserver.push(...(await processActors('forkserver', k)))
        threads['bare-worker'].push(await bareWorkersDelta(k))
        threads.worker.push(await workerActorsDelta(k))
      }
      const info = forkserverInfo()
      server = { server: memoryOf(info.pid), idleChildren: info.pool.ready.map(memoryOf) }
    } finally {
      await stopForkserver()
    }
    const rss = (id) => mem[id].map((m) => m.rss)
    const pssP50 = (id) => {
      const sorted = mem[id].map((m) => m.pss).sort((a, b) => a - b)
      return sorted[Math.ceil(sorted.length / 2) - 1]
    }
    const rows = [
      row('bare-process', `bare idle node child (VmRSS), K = ${k}`, rss('bare-process'), { unit: 'MiB' }),
      row('process', `harrow \`process\` idle actor (VmRSS), K = ${k}`, rss('process'), { unit: 'MiB', baseline: 'bare-process' }),
      row('forkserver', `harrow \`forkserver\` idle actor (VmRSS), K = ${k}`, rss('forkserver'), { unit: 'MiB', baseline: 'bare-process' }),
      row('bare-worker', `bare idle \`Worker\` (host RSS growth per thread), K = ${k}`, threads['bare-worker'], { unit: 'MiB' }),
      row('worker', `harrow \`worker\` idle actor (host RSS growth per thread), K = ${k}`, threads.worker, { unit: 'MiB', baseline: 'bare-worker' }),
    ]
    const mib = (x) => `${x.toFixed(1)} MiB`
    const notes = [
      `Pss p50 (node's shared pages split between processes): bare child ${mib(pssP50('bare-process'))}, process actor ${mib(pssP50('process'))}, forkserver actor ${mib(pssP50('forkserver'))}.`,
      `While it runs, the forkserver adds its own process (VmRSS ${mib(server.server.rss)}, Pss ${mib(server.server.pss)}) and ${server.idleChildren.length} idle warm children (VmRSS ${server.idleChildren.map((m) => mib(m.rss)).join(', ')}).`,
    ]
    return { rows, notes }
  },
}
