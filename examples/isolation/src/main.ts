/**
 * Per-request isolation with the forkserver: every request runs in a
 * one-shot actor of its own, in a nursery of its own, on a process taken
 * from a pool of warm, pre-booted ones. One request kills its process; the
 * others are not affected, and none sees another's state.
 * Run it with `pnpm --filter @harrow/example-isolation start`.
 */

import { configureForkserver, forkserverInfo, startForkserver, stopForkserver } from '@harrow/spawn-forkserver' // also registers 'forkserver'
import '@harrow/spawn-process' // for the comparison at the end
import { isHarrowError, ref, withNursery, type SpawnMethodKey } from '@harrow/core'
import type { Request, Response } from './handler.ts'

const handlerModule = new URL('./handler.ts', import.meta.url)
const handler = ref(handlerModule, 'handle')
const POOL_SIZE = 4
const ms = (t: number): string => `${t.toFixed(1)} ms`

// Keep POOL_SIZE processes booted and idle, with core and the handler module already imported, and start the
// forkserver now rather than on the first request, so that its own start-up is not counted as a request's.
configureForkserver({ poolSize: POOL_SIZE, preload: [handlerModule] })
const t0 = performance.now()
const server = await startForkserver()
console.log(`isolation: forkserver pid ${server.pid} started in ${ms(performance.now() - t0)}, keeping ${POOL_SIZE} warm processes`)

/** Wait (at most 10 s) until the pool, which boots in the background, has `count` processes ready. */
async function warmPool(count: number): Promise<number> {
  const ready = (): number => forkserverInfo()?.pool.ready.length ?? 0
  for (const deadline = Date.now() + 10_000; ready() < count && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 20))
  return ready()
}
console.log(`  ${await warmPool(POOL_SIZE)} warm processes ready after ${ms(performance.now() - t0)}`)

let unexpectedFailures = 0

/** Serve one request in its own actor and its own nursery, so that its failure is its alone. */
async function serve(request: Request, spawnMethod: SpawnMethodKey = 'forkserver'): Promise<string> {
  const started = performance.now()
  try {
    return await withNursery(async (nursery) => {
      // A request that cannot get a process within 10 s fails instead of waiting for the default 30 s.
      const portal = await nursery.runInActor<Response>(handler, [request], { spawnMethod, name: `request-${request.id}`, startupTimeout: 10_000 })
      const spawnMs = performance.now() - started
      const response = await portal.result()
      return `request ${request.id}: spawn ${ms(spawnMs)}, total ${ms(performance.now() - started)}, pid ${response.pid} (its request #${response.handledHere}): ${response.body}`
    })
  } catch (error) {
    if (!isHarrowError(error)) throw error
    if (!request.poison) unexpectedFailures++
    return `request ${request.id}: FAILED after ${ms(performance.now() - started)}: ${error.name}: ${error.message}`
  }
}

const users = ['ada', 'grace', 'edsger', 'barbara', 'ken', 'margaret']
const requests: Request[] = users.map((user, i) => ({ id: i + 1, user, ...(user === 'edsger' ? { poison: true } : {}) }))

console.log(`\nwave 1: six requests at once (more than the ${POOL_SIZE} warm processes: the rest are booted on demand); request 3 is poisoned`)
for (const line of await Promise.all(requests.map((request) => serve(request)))) console.log(`  ${line}`)

console.log('\nwave 2: the same requests one after another, each taken from the refilled pool')
for (const request of requests) {
  await warmPool(1) // the pool boots replacements for the processes handed out
  console.log(`  ${await serve(request)}`)
}

console.log("\nfor comparison, one request on spawn method 'process' (a cold process that loads Node, tsx, core and the handler)")
console.log(`  ${await serve({ id: 7, user: 'linus' }, 'process')}`)

// Ends the forkserver and its idle processes (it would also go when this process exits).
await stopForkserver()
console.log('\nforkserver stopped: no process left behind')

if (unexpectedFailures > 0) {
  console.error(`${unexpectedFailures} request(s) that should have succeeded failed`)
  process.exitCode = 1
}
