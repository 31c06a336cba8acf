/**
 * A burst: 20 actors asked for at once from a pool of 4 warm children. Each
 * sample is one actor's time from the burst's start to the result of its
 * first call; the four warm ones are fast, the rest wait for children booted
 * on demand.
 */
import { openNursery, ref } from '@harrow/core'
import '@harrow/spawn-forkserver'
import { summarize } from '../stats.mjs'
import { poolReady } from './forkserver-spawn.mjs'

const TASKS = new URL('../fixtures/tasks.mjs', import.meta.url)
const add = ref(TASKS, 'add')

/**
 * @param {{ bursts?: number, size?: number, poolSize?: number }} [options]
 */
export async function forkserverBurstScenario({ bursts = 5, size = 20, poolSize = 4 } = {}) {
  const samples = []
  const totals = []
  let failed = 0
  for (let b = 0; b < bursts; b++) {
    await poolReady(poolSize)
    const nursery = await openNursery({ spawnMethod: 'forkserver' })
    const started = performance.now()
    const outcomes = await Promise.allSettled(
      Array.from({ length: size }, async (_, i) => {
        const portal = await nursery.startActor(`burst-${i}`, { enableModules: [TASKS] })
        await portal.run(add, [i, 1])
        return performance.now() - started
      }),
    )
    totals.push(performance.now() - started)
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') samples.push(outcome.value)
      else failed++
    }
    await nursery.close()
  }
  return { ...summarize(samples), failed, bursts, size, poolSize, total: summarize(totals) }
}
