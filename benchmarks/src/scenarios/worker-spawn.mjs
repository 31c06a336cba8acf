/**
 * Spawn latency: a bare `new Worker()` to its first message, against a
 * harrow worker actor from `startActor` to the result of its first call.
 * Samples alternate between the two so that both see the same machine.
 */
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { openNursery, ref } from '@harrow/core'
import '@harrow/spawn-worker'
import { summarize } from '../stats.mjs'

const BARE = new URL('../fixtures/bare-worker.mjs', import.meta.url)
const TASKS = new URL('../fixtures/tasks.mjs', import.meta.url)
const add = ref(TASKS, 'add')

async function bareOnce() {
  const started = performance.now()
  const worker = new Worker(BARE)
  await once(worker, 'message')
  const elapsed = performance.now() - started
  await worker.terminate()
  return elapsed
}

async function harrowOnce(nursery) {
  const started = performance.now()
  const portal = await nursery.startActor('bench', { enableModules: [TASKS] })
  await portal.run(add, [1, 2])
  const elapsed = performance.now() - started
  await portal.cancelActor()
  return elapsed
}

/**
 * @param {{ runs?: number, warmup?: number }} [options]
 * @returns {Promise<{ bare: ReturnType<typeof summarize>, harrow: ReturnType<typeof summarize> }>}
 */
export async function workerSpawnScenario({ runs = 100, warmup = 10 } = {}) {
  const nursery = await openNursery({ spawnMethod: 'worker' })
  try {
    const bare = []
    const harrow = []
    for (let i = 0; i < warmup + runs; i++) {
      const b = await bareOnce()
      const h = await harrowOnce(nursery)
      if (i >= warmup) {
        bare.push(b)
        harrow.push(h)
      }
    }
    return { bare: summarize(bare), harrow: summarize(harrow) }
  } finally {
    await nursery.close()
  }
}
