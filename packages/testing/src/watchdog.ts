/** The watchdog: fails a test that wedges its event loop, instead of letting it hang the run. */

import { Worker } from 'node:worker_threads'

/** How long after its timeout a wedged test is given before the watchdog acts, in ms. */
export const WATCHDOG_MARGIN = 1000

const BEAT_EVERY = 100

let watchdog: { worker: Worker; beat: Float64Array } | undefined

function start(): { worker: Worker; beat: Float64Array } {
  const shared = new SharedArrayBuffer(8)
  const beat = new Float64Array(shared)
  beat[0] = Date.now()
  const worker = new Worker(new URL('./watchdog-thread.js', import.meta.url), {
    workerData: { heartbeat: shared, staleAfter: WATCHDOG_MARGIN },
    // The watchdog must not keep a finished test process alive, nor count as its output.
    stdout: true,
    stderr: true,
  })
  worker.unref()
  const timer = setInterval(() => {
    beat[0] = Date.now()
  }, BEAT_EVERY)
  timer.unref()
  return { worker, beat }
}

/** Tell the watchdog a test is running, with its timeout in ms. */
export function watchTest(name: string, file: string, timeout: number): void {
  watchdog ??= start()
  watchdog.beat[0] = Date.now()
  watchdog.worker.postMessage({ running: { name, file, timeout, deadline: Date.now() + timeout + WATCHDOG_MARGIN } })
}

/** Tell the watchdog the test finished. */
export function unwatchTest(): void {
  watchdog?.worker.postMessage({ running: undefined })
}
