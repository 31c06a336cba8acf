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
import { compileCacheDir, hasCompileCache } from '@harrow/core/backend'
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

async function bareSpawnOnce(options) {
  const child = await bareChild('first-byte', options)
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

export default {
  id: 'spawn',
  title: 'Spawn to first call',
  cases() {
    // The targets hold on Node 20 and on Node 24; TypeScript users run `node --import tsx`, and threads inherit the
    // flag (on Node 20 tsx's hooks do not reach a bare worker, which then cannot load TypeScript; a worker actor
    // registers them in its thread): the worker rows again under it.
    const tsx = ['--import', import.meta.resolve('tsx')]
    const here = `Node ${process.versions.node}`
    const cases = [
      { id: 'default', label: `${here} (this run's node)` },
      { id: 'tsx', label: `${here} under \`node --import tsx\``, nodeFlags: tsx },
    ]
    try {
      const execPath = fetchRuntime('node24')
      cases.push({ id: 'node24', label: 'Node 24 (pinned, from the npm registry)', execPath })
      cases.push({ id: 'node24-tsx', label: 'Node 24 under `node --import tsx`', execPath, nodeFlags: tsx })
    } catch (error) {
      const skip = `skipped: no Node 24 to run on (${error.message.split('\n')[0]})`
      cases.push({ id: 'node24', label: 'Node 24', skip }, { id: 'node24-tsx', label: 'Node 24 under tsx', skip })
    }
    return cases
  },
  how: "Each sample starts one actor (or bare child, or pool) and ends when the result of its first call (or first byte, or first message) is back; every iteration samples each contender once, in a rotating order, and the teardown in between is not timed. The forkserver contender waits for its pool of 2 warm children to be full before each sample; the spare-thread contender starts one spare (`startWorkerSpares(1)`) and waits for it to boot before each sample, and ends the spares after it. The bare primitives import the same user module as the actors; the floor rows also load harrow's child runtime (codec, channel, dispatcher; through Node's compile cache where Node has one, as actors do) and no more, so that what is left between a floor and its actor is the spawn protocol. The cases: this run's Node and the pinned Node 24, each also under `node --import tsx` (the worker rows and their floor only).",
  async run({ quick, caseId }) {
    // Row ids of the other cases carry their case's id, so that the cases' rows stay apart in the targets.
    const prefix = caseId === 'default' ? '' : `${caseId}:`
    const underTsx = caseId === 'tsx' || caseId === 'node24-tsx'
    // Where Node has a compile cache (>= 22.1), harrow's children turn it on: the floors do too, and rows without it show what it saves.
    const compileCache = hasCompileCache() ? compileCacheDir() : undefined
    /** The `spawnMethod` row again with the cache off, where Node has one. */
    const withoutCache = (spawnMethod, baseline) =>
      compileCache === undefined
        ? []
        : [
            {
              id: `${spawnMethod}-no-cache`,
              label: `harrow \`${spawnMethod}\` without the compile cache (\`HARROW_COMPILE_CACHE=0\`): \`startActor\` + first \`run\``,
              once: () => harrowOnce(spawnMethod, { env: { HARROW_COMPILE_CACHE: '0' } }),
              baseline,
            },
          ]
    const runs = quick ? 8 : 60
    const warmup = quick ? 2 : 5
    if (!underTsx) {
      configureForkserver({ poolSize: POOL_SIZE })
      await startForkserver()
    }
    const everyContender = [
      { id: 'bare-spawn', label: 'bare `child_process.spawn` to first byte on fd 3', once: bareSpawnOnce },
      {
        id: 'bare-spawn-runtime',
        label: "bare spawn that also loads harrow's child runtime (the floor of a cold process actor)",
        once: () => bareSpawnOnce({ runtime: compileCache === undefined ? {} : { compileCache } }),
        baseline: 'bare-spawn',
      },
      { id: 'process', label: 'harrow `process`: `startActor` + first `run`', once: () => harrowOnce('process'), baseline: 'bare-spawn' },
      ...withoutCache('process', 'bare-spawn'),
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
      { id: 'bare-worker', label: 'bare `new Worker()` to first message', once: () => bareWorkerOnce() },
      {
        id: 'bare-worker-runtime',
        label: "bare `new Worker()` that also loads harrow's child runtime (the floor of a cold worker actor)",
        once: () => bareWorkerOnce({ runtime: compileCache === undefined ? {} : { compileCache } }),
        baseline: 'bare-worker',
      },
      { id: 'worker', label: 'harrow `worker`: `startActor` + first `run`', once: () => harrowOnce('worker'), baseline: 'bare-worker' },
      ...withoutCache('worker', 'bare-worker'),
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
    // Under tsx, the worker rows only: what the TypeScript target compares, and the floor.
    const contenders = underTsx ? everyContender.filter((c) => ['bare-worker', 'bare-worker-runtime', 'worker'].includes(c.id)) : everyContender
    let samples
    try {
      samples = await rotatingSamples(contenders, { runs, warmup })
    } finally {
      await stopWorkerSpares()
      await stopForkserver()
    }
    const on = (id) => (id === undefined ? undefined : `${prefix}${id}`)
    return { rows: contenders.map((c) => row(on(c.id), c.label, samples[c.id], { per: 1, baseline: on(c.baseline) })) }
  },
}
