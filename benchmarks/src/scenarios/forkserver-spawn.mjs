/**
 * Warm spawn-to-first-call: a forkserver actor (handed out from the warm
 * pool) against a process actor, from `startActor` to the result of its first
 * call, with the parent's event-loop delay measured over the same window.
 * The two alternate in blocks of {@link BLOCK} samples, so that both see the
 * same machine while a process spawn's fork of a big parent (whose
 * copy-on-write faults follow it for a while) does not land in a forkserver
 * sample.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { openNursery, ref } from '@harrow/core'
import '@harrow/spawn-forkserver'
import '@harrow/spawn-process'
import { forkserverInfo } from '@harrow/spawn-forkserver'
import { summarize } from '../stats.mjs'

const TASKS = new URL('../fixtures/tasks.mjs', import.meta.url)
const add = ref(TASKS, 'add')

/** The event-loop delay monitor's own interval, in ms: what it records beyond this is time the loop was blocked. */
const RESOLUTION = 1

/** Samples of one backend in a row. */
const BLOCK = 10

/** Wait until the forkserver's pool has `size` ready children again (a warm hand-out), then let the machine settle. */
export async function poolReady(size) {
  while ((forkserverInfo()?.pool.ready.length ?? 0) < size) await new Promise((resolve) => setTimeout(resolve, 5))
  await new Promise((resolve) => setTimeout(resolve, 20))
}

/** The control: a window as long as a warm spawn in which the parent only waits, to show the machine's own loop-delay noise. */
async function idleOnce(delay, ms) {
  delay.reset()
  delay.enable()
  const started = performance.now()
  await new Promise((resolve) => setTimeout(resolve, ms))
  const elapsed = performance.now() - started
  delay.disable()
  return { elapsed, blocked: Math.max(0, delay.max / 1e6 - RESOLUTION) }
}

async function once(nursery, spawnMethod, delay) {
  delay.reset()
  delay.enable()
  const started = performance.now()
  const portal = await nursery.startActor('bench', { enableModules: [TASKS], spawnMethod })
  await portal.run(add, [1, 2])
  const elapsed = performance.now() - started
  delay.disable()
  await portal.cancelActor()
  return { elapsed, blocked: Math.max(0, delay.max / 1e6 - RESOLUTION) }
}

/**
 * @param {{ runs?: number, warmup?: number, poolSize?: number }} [options]
 */
export async function forkserverSpawnScenario({ runs = 50, warmup = 5, poolSize = 2, processes = true } = {}) {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION })
  const nursery = await openNursery()
  const samples = { forkserver: [], process: [], idle: [] }
  const blocked = { forkserver: [], process: [], idle: [] }
  const block = async (count, record) => {
    for (const contender of processes ? ['forkserver', 'idle', 'process'] : ['forkserver', 'idle']) {
      for (let i = 0; i < count; i++) {
        if (contender === 'process') await new Promise((resolve) => setTimeout(resolve, 20))
        else await poolReady(poolSize)
        const sample = contender === 'idle' ? await idleOnce(delay, 5) : await once(nursery, contender, delay)
        if (!record) continue
        samples[contender].push(sample.elapsed)
        blocked[contender].push(sample.blocked)
      }
    }
  }
  try {
    await block(warmup, false)
    for (let done = 0; done < runs; done += BLOCK) await block(Math.min(BLOCK, runs - done), true)
  } finally {
    await nursery.close()
  }
  const result = (name) => ({ ...summarize(samples[name]), maxBlocked: Math.max(...blocked[name]), blocked: summarize(blocked[name]) })
  return { forkserver: result('forkserver'), idle: result('idle'), ...(processes ? { process: result('process') } : {}) }
}
