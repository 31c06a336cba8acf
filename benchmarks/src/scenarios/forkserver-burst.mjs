/**
 * A burst: 20 actors asked for at once from a pool of 4 warm children. Each sample is one actor's time from the
 * burst's start to the result of its first call; the four warm ones are fast, the rest wait for children booted on
 * demand. Full runs only.
 */
import { openNursery, ref } from '@harrow/core'
import { configureForkserver, startForkserver, stopForkserver } from '@harrow/spawn-forkserver'
import { row } from '../stats.mjs'
import { poolReady } from './parent-memory.mjs'

const TASKS = new URL('../fixtures/tasks.mjs', import.meta.url)
const add = ref(TASKS, 'add')

export default {
  id: 'forkserver-burst',
  title: 'Forkserver burst: 20 spawns at once from a pool of 4',
  how: 'Each burst asks for 20 forkserver actors at once with `poolSize` 4 (after the pool is full) and calls `add` on each; a sample is one actor\'s time from the burst\'s start to its first result, and the "whole burst" row is the time until the last one. All must succeed.',
  cases: ({ quick }) => (quick ? [] : [{ id: 'default' }]),
  async run({ quick, bursts = quick ? 2 : 5, size = 20, poolSize = 4 }) {
    configureForkserver({ poolSize })
    await startForkserver()
    const samples = []
    const totals = []
    let failed = 0
    try {
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
    } finally {
      await stopForkserver()
    }
    return {
      rows: [
        row('actor', "one actor: ready + first call, from the burst's start", samples, { per: 1 }),
        row('burst', `whole burst of ${size}`, totals, { per: size }),
      ],
      failed,
    }
  },
}
