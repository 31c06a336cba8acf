// node [flags] src/run-scenario.mjs <scenario> [--case ID] [--quick] --result FILE
// Runs one case of one scenario in this (fresh) process and writes its result as JSON to FILE. bench.mjs starts
// one of these per case, so that no scenario sees what another left behind (heap, threads, a big parent).
// Actors print to this process's stdout, so results go to a file rather than to stdout.
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadScenario } from './scenarios/index.mjs'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { case: { type: 'string', default: 'default' }, quick: { type: 'boolean', default: false }, result: { type: 'string' } },
})
const scenario = await loadScenario(positionals[0])
const started = performance.now()
const result = await scenario.run({ quick: values.quick, caseId: values.case })
const json = JSON.stringify({ ...result, seconds: (performance.now() - started) / 1000 })
if (values.result) writeFileSync(values.result, json)
else process.stdout.write(`${json}\n`)
// Whatever a scenario left running is a bug the orchestrator reports; do not hang on it here.
setTimeout(() => {
  process.stderr.write(`run-scenario: ${positionals[0]} left handles open; exiting\n`)
  process.exit(0)
}, 10_000).unref()
