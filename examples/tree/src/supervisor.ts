/** The supervisor actor: it runs its own nursery of workers, so the tree is three levels deep. */

import { currentTask, openNursery, ref, withNursery } from '@harrow/core'

const worker = new URL('./worker.ts', import.meta.url)
const enableModules = [worker]

export interface WorkerResult {
  worker: string
  pid: number | undefined
  input: number
  sumOfSquares: number
}

/** Start one worker per input and gather their answers; one failure cancels the rest. */
export async function fanOut(inputs: number[]): Promise<WorkerResult[]> {
  return withNursery(async (nursery) => {
    const workers = await Promise.all(inputs.map((_, i) => nursery.startActor(`worker-${i + 1}`, { enableModules })))
    return Promise.all(
      workers.map(async (portal, i) => {
        const input = inputs[i] as number
        const sumOfSquares = await portal.run<number>(ref(worker, 'sumOfSquares'), [input])
        return { worker: portal.actor.name, pid: portal.actor.pid, input, sumOfSquares }
      }),
    )
  })
}

/** Relay a worker's stream of primes: streams compose across actors with backpressure intact. */
export async function* primes(limit: number): AsyncGenerator<number> {
  const nursery = await openNursery()
  try {
    const portal = await nursery.startActor('prime-worker', { enableModules })
    yield* portal.stream<number>(ref(worker, 'primes'), [limit])
  } finally {
    await nursery.close()
  }
}

/** Hand a long job to a worker; cancelling this task cancels the nursery, and so the worker. */
export async function longJob(ms: number): Promise<string> {
  return withNursery(
    async (nursery) => {
      const portal = await nursery.startActor('slow-worker', { enableModules })
      return portal.run<string>(ref(worker, 'slowWork'), [ms])
    },
    { signal: currentTask().signal },
  )
}
