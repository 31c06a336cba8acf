/** The actor module: CPU-bound work that the root hands to each worker actor (and runs itself, for comparison). */

import { currentActor } from '@harrow/core'

/** Count the primes in [from, to) by trial division: deliberately CPU-bound, with no I/O to overlap. */
export function countPrimes(from: number, to: number): number {
  let count = 0
  for (let n = Math.max(from, 2); n < to; n++) {
    let prime = true
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false
        break
      }
    }
    if (prime) count++
  }
  return count
}

/** What a worker actor sends back for one chunk. */
export interface ChunkResult {
  readonly from: number
  readonly to: number
  readonly primes: number
  readonly ms: number
  readonly threadId: number | undefined
  /** The pool member that counted it (`counter-0`, `counter-1`, ...). */
  readonly actor: string
}

/** One chunk of the fan-out: count, and say which thread did it and how long it took. */
export function countChunk(from: number, to: number): ChunkResult {
  const started = performance.now()
  const primes = countPrimes(from, to)
  const { threadId, name } = currentActor()
  return { from, to, primes, ms: performance.now() - started, threadId, actor: name }
}
