#!/usr/bin/env node
// The soak run (issue #6): long versions of what CI runs briefly.
//   node scripts/soak.mjs [--actors 200] [--seconds 60] [--backends process,worker,forkserver] [--skip-matrix] [--skip-fuzz]
// 1. load: --actors actors spread over every available backend, each serving concurrent calls for --seconds;
//    every request must be answered exactly once and the parent's memory stay flat after warm-up;
// 2. the kill matrix with HARROW_KILL_ITERATIONS=500 per backend and target;
// 3. the protocol fuzzers with HARROW_FUZZ_RUNS=20000.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const root = fileURLToPath(new URL('..', import.meta.url))
const { values } = parseArgs({
  options: {
    actors: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '60' },
    backends: { type: 'string', default: 'process,worker,forkserver' },
    'skip-matrix': { type: 'boolean' },
    'skip-fuzz': { type: 'boolean' },
  },
})

const backends = []
for (const key of values.backends.split(',')) {
  const entry = `${root}packages/spawn-${key}/dist/index.js`
  if (!existsSync(entry)) continue
  await import(pathToFileURL(entry).href)
  backends.push(key)
}
const { listSpawnMethods } = await import(pathToFileURL(`${root}packages/core/dist/index.js`).href)
const supported = (await listSpawnMethods()).filter((row) => row.supported && backends.includes(row.key)).map((row) => row.key)
// The load driver's own entry: the package's main entry needs a running vitest.
const { runLoad } = await import(pathToFileURL(`${root}packages/testing/dist/load.js`).href)

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`
console.log(`soak: load, ${values.actors} actors over ${supported.join(', ')}, ${values.seconds} s`)
const report = await runLoad({ backends: supported, actors: Number(values.actors), duration: Number(values.seconds) * 1000 })
console.log(`  ${report.requests} requests (${report.perSecond}/s) by ${report.actors} actors`)
console.log(`  wrong answers ${report.wrongAnswers}, duplicates ${report.duplicates}, unserved ${report.unserved}`)
console.log(`  parent RSS after warm-up ${mib(report.rssAfterWarmUp)}, at the end ${mib(report.rssAtEnd)}, peak ${mib(report.rssPeak)}`)
const growth = report.rssAtEnd - report.rssAfterWarmUp
let failed = report.wrongAnswers + report.duplicates + report.unserved > 0
if (growth > Math.max(64 * 1024 * 1024, report.rssAfterWarmUp * 0.2)) {
  console.log(`  memory grew by ${mib(growth)} after warm-up: not flat`)
  failed = true
}

const run = (label, env, args) => {
  console.log(`soak: ${label}`)
  try {
    execFileSync('pnpm', args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  } catch {
    failed = true
  }
}
if (!values['skip-matrix'])
  run('kill matrix, 500 runs per backend and target', { HARROW_KILL_ITERATIONS: '500' }, [
    '--filter',
    '@harrow/testing',
    'exec',
    'vitest',
    'run',
    '-t',
    'kill matrix',
  ])
if (!values['skip-fuzz'])
  run('protocol fuzzing, 20000 cases per property', { HARROW_FUZZ_RUNS: '20000' }, ['--filter', '@harrow/core', 'exec', 'vitest', 'run', 'test/fuzz.test.ts'])
process.exit(failed ? 1 : 0)
