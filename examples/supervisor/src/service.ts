/**
 * The service actor: answers requests, and has a bug that kills its process
 * on every CRASH_AFTER-th request it serves.
 */

import { currentTask } from '@harrow/core'

const crashAfter = Number(process.env.CRASH_AFTER ?? 3)
let served = 0

/**
 * The service's main task: it does nothing but last as long as the actor.
 * The supervisor keeps a call to it open, so it learns at once when the
 * actor dies (the call rejects) without polling.
 */
export async function lifetime(): Promise<void> {
  const { signal } = currentTask()
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}

/** Handle one request. State (`served`) lives in this process, so a restart starts from zero. */
export function handle(request: string): string {
  served++
  if (served === crashAfter) {
    console.log(`    [service pid ${process.pid}] request '${request}' hits the bug: process.exit(1)`)
    process.exit(1)
  }
  return `'${request}' served by pid ${process.pid} (its request #${served})`
}
