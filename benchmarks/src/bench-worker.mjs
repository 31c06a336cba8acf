// node src/bench-worker.mjs [--spawn-runs N] [--call-runs N] [--json]
// The worker backend against the bare primitives, in one run: spawn-to-first-call and call round trip.
import { parseArgs } from 'node:util'
import { workerCallScenario } from './scenarios/worker-call.mjs'
import { workerSpawnScenario } from './scenarios/worker-spawn.mjs'
import { ms, ratio, settle, table } from './stats.mjs'

const { values } = parseArgs({ options: { 'spawn-runs': { type: 'string', default: '100' }, 'call-runs': { type: 'string', default: '20000' }, json: { type: 'boolean', default: false } } })

const spawn = await workerSpawnScenario({ runs: Number(values['spawn-runs']) })
await settle()
const call = await workerCallScenario({ runs: Number(values['call-runs']) })

const targets = {
  'spawn-to-first-call p50 <= 1.2x bare Worker': spawn.harrow.p50 <= 1.2 * spawn.bare.p50,
  'call round trip p50 <= 1.3x bare MessagePort': call.harrow.p50 <= 1.3 * call.bare.p50,
  'call round trip p50 < piscina task p50': call.harrow.p50 < call.piscina.p50,
}

if (values.json) {
  process.stdout.write(`${JSON.stringify({ node: process.version, platform: `${process.platform}/${process.arch}`, spawn, call, targets }, null, 2)}\n`)
} else {
  const row = (name, s, base) => [name, String(s.n), ms(s.p50), ms(s.p90), ms(s.p99), base ? ratio(s.p50, base.p50) : '']
  console.log(`node ${process.version}, ${process.platform}/${process.arch}\n`)
  console.log('spawn to first call')
  console.log(table(['', 'n', 'p50', 'p90', 'p99', 'p50 ratio'], [row('bare new Worker() to first message', spawn.bare), row('harrow worker startActor + first run', spawn.harrow, spawn.bare)]))
  console.log('\ncall round trip: add(1, 2)')
  console.log(
    table(
      ['', 'n', 'p50', 'p90', 'p99', 'p50 ratio'],
      [row('bare MessagePort ping-pong', call.bare), row('harrow portal.run (worker)', call.harrow, call.bare), row('piscina run (1 thread)', call.piscina, call.bare)],
    ),
  )
  console.log('\ntargets')
  for (const [name, met] of Object.entries(targets)) console.log(`  ${met ? 'met   ' : 'MISSED'} ${name}`)
}
