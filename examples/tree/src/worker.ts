/** Worker actors: small pieces of work the supervisor hands out. */

import { setImmediate, setTimeout as sleep } from 'node:timers/promises'
import { currentActor, currentTask } from '@harrow/core'

export function sumOfSquares(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`cannot sum the squares up to ${n}`)
  let total = 0
  for (let i = 1; i <= n; i++) total += i * i
  return total
}

export async function* primes(limit: number): AsyncGenerator<number> {
  for (let n = 2; n <= limit; n++) {
    // Give the event loop a turn now and then, so a cancel from the parent is heard mid-computation.
    if (n % 1000 === 0) await setImmediate()
    let prime = true
    for (let d = 2; d * d <= n; d++) if (n % d === 0) prime = false
    if (prime) yield n
  }
}

export async function slowWork(ms: number): Promise<string> {
  const { signal } = currentTask()
  try {
    await sleep(ms, undefined, { signal })
    return 'done'
  } finally {
    if (signal.aborted) console.log(`   [${currentActor().name}, pid ${process.pid}] my task was cancelled; cleaning up`)
  }
}
