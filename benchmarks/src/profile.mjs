// node --cpu-prof --cpu-prof-dir=DIR src/profile.mjs <call|stream|spawn|inflight> <worker|process|forkserver|raw-port|raw-pipe|PEER> [N]
// One contender alone in a loop, for a CPU profile of exactly that work (see README.md, "Profiling"). Worker
// actors inherit --cpu-prof and write a profile per thread; process and forkserver actors are given
// --cpu-prof in execArgv when HARROW_BENCH_CHILD_PROF=DIR is set. Prints the rate it measured.
import { openNursery, ref } from '@harrow/core'
import { harrowActor, TASKS } from './harrow.mjs'
import { PEERS } from './peers.mjs'
import { bareChild, bareWorkerOnce, rawPipe, rawPort } from './raw.mjs'

const [what = 'call', who = 'worker', count] = process.argv.slice(2)
const childProf = process.env.HARROW_BENCH_CHILD_PROF
const execArgv = childProf ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${childProf}`] : process.execArgv

async function open() {
  if (who === 'raw-port') return rawPort()
  if (who === 'raw-pipe') return rawPipe()
  const peer = PEERS.find((p) => p.id === who)
  if (peer) return peer.open()
  return harrowActor(who)
}

const report = (label, n, elapsed) =>
  console.error(`${what} ${who}: ${label} ${((n * 1000) / elapsed).toFixed(0)}/s, ${((elapsed * 1000) / n).toFixed(2)} µs each`)

if (what === 'spawn') {
  const n = Number(count ?? 30)
  const add = ref(TASKS, 'add')
  const started = performance.now()
  for (let i = 0; i < n; i++) {
    if (who === 'bare-spawn') await (await bareChild('first-byte')).close()
    else if (who === 'bare-worker') await bareWorkerOnce()
    else {
      const nursery = await openNursery({ spawnMethod: who })
      const portal = await nursery.startActor('profiled', { enableModules: [TASKS], execArgv })
      await portal.run(add, [1, 2])
      await nursery.close()
    }
  }
  report('spawns', n, performance.now() - started)
} else {
  const client = await open()
  const n = Number(count ?? (what === 'stream' ? 1_000_000 : what === 'inflight' ? 200 : 200_000))
  if (what === 'call') {
    for (let i = 0; i < 5000; i++) await client.call(1, 2)
    const started = performance.now()
    for (let i = 0; i < n; i++) await client.call(1, 2)
    report('calls', n, performance.now() - started)
  } else if (what === 'inflight') {
    const started = performance.now()
    for (let i = 0; i < n; i++) await client.inflight(1000)
    report('calls', n * 1000, performance.now() - started)
  } else {
    await client.stream(100_000)
    const started = performance.now()
    await client.stream(n)
    report('messages', n, performance.now() - started)
  }
  await client.close()
}
