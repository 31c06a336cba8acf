/**
 * Fan-out: count the primes below LIMIT once on the main thread, then again
 * split into chunks across worker-thread actors, and compare wall times.
 * Run it with `pnpm --filter @harrow/example-fanout start`.
 */

import { availableParallelism } from 'node:os'
import '@harrow/spawn-worker' // registers spawn method 'worker' (core would also find it, since it is installed)
import { ref, withPool } from '@harrow/core'
import { countPrimes, type ChunkResult } from './primes.ts'

const LIMIT = 6_000_000
const WORKERS = Math.max(2, availableParallelism())
// More chunks than workers: trial division costs more per number as numbers grow,
// so equal ranges are unequal work; small chunks handed out as workers free up keep them all busy.
const CHUNKS = WORKERS * 4

const primesModule = new URL('./primes.ts', import.meta.url)
const countChunk = ref(primesModule, 'countChunk')

const ms = (t: number): string => `${t.toFixed(0)} ms`

console.log(`fanout: count the primes below ${LIMIT.toLocaleString('en')}, on ${availableParallelism()} CPU(s)\n`)

// 1. The baseline: the same function, called directly on the main thread.
let started = performance.now()
const expected = countPrimes(0, LIMIT)
const mainThreadMs = performance.now() - started
console.log(`main thread:   ${expected} primes in ${ms(mainThreadMs)}`)

// 2. The fan-out: a pool of WORKERS actors (booted in parallel) takes the CHUNKS ranges; each call goes to a free member.
started = performance.now()
const { results, spawnMs } = await withPool(
  async (pool) => {
    const spawnMs = performance.now() - started
    const ranges = Array.from({ length: CHUNKS }, (_, i) => [Math.floor((LIMIT * i) / CHUNKS), Math.floor((LIMIT * (i + 1)) / CHUNKS)] as const)
    const chunks = await Promise.all(ranges.map((range) => pool.run<ChunkResult>(countChunk, range)))
    return { results: chunks, spawnMs }
  },
  { name: 'counter', size: WORKERS, spawnMethod: 'worker', enableModules: [primesModule] },
)
// Leaving withPool drained the pool, then stopped and reaped every member thread.
const fanoutMs = performance.now() - started

for (const actor of [...new Set(results.map((r) => r.actor))].sort()) {
  const mine = results.filter((r) => r.actor === actor)
  const busy = mine.reduce((sum, r) => sum + r.ms, 0)
  console.log(`  ${actor} (thread ${mine[0]?.threadId}): ${mine.length} chunks, ${mine.reduce((s, r) => s + r.primes, 0)} primes, busy ${ms(busy)}`)
}
const total = results.reduce((sum, r) => sum + r.primes, 0)
console.log(
  `${WORKERS} workers:     ${total} primes in ${ms(fanoutMs)} (of which ${ms(spawnMs)} starting the actors: each thread loads core and the tsx loader)`,
)

if (total !== expected) throw new Error(`the workers counted ${total} primes, the main thread ${expected}`)
console.log(`\nsame answer; speed-up ${(mainThreadMs / fanoutMs).toFixed(2)}x on ${availableParallelism()} CPU(s), every worker thread reaped`)
