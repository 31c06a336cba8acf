// node src/bench-encoding.mjs [--runs N]: structured clone vs msgpack bytes over a MessagePort.
import { parseArgs } from 'node:util'
import { encodingScenario } from './scenarios/encoding.mjs'
import { ms, table } from './stats.mjs'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '2000' } } })
const rows = await encodingScenario({ runs: Number(values.runs) })
console.log(`node ${process.version}, ${process.platform}/${process.arch}; round trip through a worker (p50 / p90 / p99)\n`)
console.log(
  table(
    ['message', 'strategy', 'n', 'p50', 'p90', 'p99'],
    rows.map((r) => [r.message, r.strategy, String(r.n), ms(r.p50), ms(r.p90), ms(r.p99)]),
  ),
)
