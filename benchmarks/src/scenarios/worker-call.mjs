/**
 * Call latency: a bare MessagePort ping-pong of the same small message
 * (`add(1, 2)`) against harrow's `portal.run` on the worker backend, and
 * piscina's `run` of the same task. Rounds alternate between the three.
 */
import { once } from 'node:events'
import { MessageChannel, Worker } from 'node:worker_threads'
import { openNursery, ref } from '@harrow/core'
import '@harrow/spawn-worker'
import { Piscina } from 'piscina'
import { summarize } from '../stats.mjs'

const BARE = new URL('../fixtures/bare-worker.mjs', import.meta.url)
const TASKS = new URL('../fixtures/tasks.mjs', import.meta.url)
const PISCINA_TASK = new URL('../fixtures/piscina-add.mjs', import.meta.url)
const add = ref(TASKS, 'add')

/** Time `calls` calls of `fn` one after another, each sample one round trip, in ms. */
async function round(fn, calls, into) {
  for (let i = 0; i < calls; i++) {
    const started = performance.now()
    await fn()
    into?.push(performance.now() - started)
  }
}

/**
 * @param {{ runs?: number, rounds?: number }} [options] `rounds` rounds of `runs / rounds` calls each, per contender.
 */
export async function workerCallScenario({ runs = 20_000, rounds = 20 } = {}) {
  const { port1, port2 } = new MessageChannel()
  const worker = new Worker(BARE, { workerData: { port: port2 }, transferList: [port2] })
  await once(port1, 'message')
  const bareCall = () => {
    const reply = once(port1, 'message')
    port1.postMessage(['add', [1, 2]])
    return reply
  }

  const nursery = await openNursery({ spawnMethod: 'worker' })
  const portal = await nursery.startActor('bench', { enableModules: [TASKS] })
  const harrowCall = () => portal.run(add, [1, 2])

  const pool = new Piscina({ filename: PISCINA_TASK.href, minThreads: 1, maxThreads: 1 })
  const piscinaCall = () => pool.run([1, 2])

  try {
    const per = Math.ceil(runs / rounds)
    const samples = { bare: [], harrow: [], piscina: [] }
    // Warm every path (JIT, msgpack record shapes) before measuring.
    for (const fn of [bareCall, harrowCall, piscinaCall]) await round(fn, 2000)
    for (let r = 0; r < rounds; r++) {
      await round(bareCall, per, samples.bare)
      await round(harrowCall, per, samples.harrow)
      await round(piscinaCall, per, samples.piscina)
    }
    return { bare: summarize(samples.bare), harrow: summarize(samples.harrow), piscina: summarize(samples.piscina) }
  } finally {
    port1.close()
    await worker.terminate()
    await nursery.close()
    await pool.destroy()
  }
}
