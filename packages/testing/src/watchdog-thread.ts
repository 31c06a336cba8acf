/**
 * The watchdog's thread. It cannot rely on the test's event loop (that is
 * what it watches), so it reads a heartbeat the main thread writes into
 * shared memory, and when the running test is past its deadline with the
 * heartbeat stalled, it writes straight to fd 2 and kills the test process:
 * the run goes on, with a message naming the test.
 */

import { writeSync } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'

interface Running {
  readonly name: string
  readonly file: string
  /** Epoch ms after which the test counts as wedged, if the loop is also stalled. */
  readonly deadline: number
  readonly timeout: number
}

const { heartbeat, staleAfter } = workerData as { heartbeat: SharedArrayBuffer; staleAfter: number }
const lastBeat = new Float64Array(heartbeat)
let running: Running | undefined

parentPort?.on('message', (message: { running?: Running }) => {
  running = message.running
})

setInterval(() => {
  const test = running
  if (!test) return
  const now = Date.now()
  const stalledFor = now - (lastBeat[0] ?? now)
  if (now < test.deadline || stalledFor < staleAfter) return
  writeSync(
    2,
    `\n[harrow watchdog] test "${test.name}" (${test.file}) wedged the event loop: no turn for ${Math.round(stalledFor)} ms, past its ${test.timeout} ms timeout. Killing test process ${process.pid} so the run can go on.\n`,
  )
  process.kill(process.pid, 'SIGKILL')
}, 100)
