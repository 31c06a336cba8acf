// node [--max-old-space-size=6144 --expose-gc] src/bench-forkserver-case.mjs --memory small|buffers|heap [--runs N] [--burst]
// One parent, as bench-forkserver.mjs asks for it: the forkserver started first (its one fork of this process),
// then the parent made big, then warm spawns against process spawns. Prints one JSON line.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { execFileSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { configureForkserver, forkserverInfo, startForkserver, stopForkserver } from '@harrow/spawn-forkserver'
import { forkserverBurstScenario } from './scenarios/forkserver-burst.mjs'
import { forkserverSpawnScenario } from './scenarios/forkserver-spawn.mjs'
import { GiB, footprint, holdBuffers, holdHeap } from './scenarios/parent-memory.mjs'

const { values } = parseArgs({
  options: {
    memory: { type: 'string', default: 'small' },
    runs: { type: 'string', default: '50' },
    burst: { type: 'boolean', default: false },
    bursts: { type: 'string', default: '5' },
    'start-only': { type: 'boolean', default: false },
    pin: { type: 'boolean', default: false },
  },
})

/**
 * This process on CPU 0, the forkserver (and so every child it boots from now on) on CPU 1: what the parent's
 * event loop then records is its own work, not a wait for a CPU that the actor it just asked for is booting on.
 */
function pinApart() {
  const info = forkserverInfo()
  execFileSync('taskset', ['-pc', '0', String(process.pid)], { stdio: 'ignore' })
  for (const pid of [info.pid, ...info.pool.ready, ...info.pool.booting]) execFileSync('taskset', ['-pc', '1', String(pid)], { stdio: 'ignore' })
}

if (values.burst) {
  configureForkserver({ poolSize: 4 })
  await startForkserver()
  const burst = await forkserverBurstScenario({ bursts: Number(values.bursts) })
  await stopForkserver()
  process.stdout.write(`${JSON.stringify({ burst })}\n`)
} else if (values['start-only']) {
  // The worst case the README warns about: the forkserver started only once the parent is big.
  if (values.memory === 'buffers') holdBuffers(2 * GiB)
  else if (values.memory === 'heap') holdHeap(2 * GiB)
  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  const startedAt = performance.now()
  await startForkserver()
  const startMs = performance.now() - startedAt
  delay.disable()
  await stopForkserver()
  process.stdout.write(`${JSON.stringify({ memory: values.memory, footprint: footprint(), lateServerStart: { ms: startMs, maxBlocked: Math.max(0, delay.max / 1e6 - 1) } })}\n`)
} else {
  configureForkserver({ poolSize: 2 })
  // The forkserver's start is this process's one fork, so it is done while the process is small.
  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  const startedAt = performance.now()
  await startForkserver()
  const startMs = performance.now() - startedAt
  delay.disable()
  if (values.pin) pinApart()
  if (values.memory === 'buffers') holdBuffers(2 * GiB)
  else if (values.memory === 'heap') holdHeap(2 * GiB)
  const spawn = await forkserverSpawnScenario({ runs: Number(values.runs), processes: !values.pin })
  await stopForkserver()
  process.stdout.write(`${JSON.stringify({ memory: values.memory, footprint: footprint(), serverStart: { ms: startMs, maxBlocked: Math.max(0, delay.max / 1e6 - 1) }, spawn })}\n`)
}
