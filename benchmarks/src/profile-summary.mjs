// node src/profile-summary.mjs FILE.cpuprofile... [--top N] [--by function|file]
// The self time of the hottest functions (or files) in V8 CPU profiles (as written by `node --cpu-prof`), added
// up over every file given (say, one profile per worker thread), with their share of the samples: what the
// before/after notes of BENCHMARKS.md quote. Samples are wall-clock: a thread blocked in a call (or preempted
// while in it) is counted there.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, by: { type: 'string', default: 'function' } },
})
const self = new Map()
let total = 0
let totalMs = 0
for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const deltas = profile.timeDeltas ?? []
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byId.get(id).callFrame
    const where = url ? url.replace(/^.*\/(packages|node_modules|benchmarks)\//, '$1/') : ''
    const key = values.by === 'file' ? where || functionName : `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`
    const ms = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000
    self.set(key, (self.get(key) ?? 0) + ms)
    totalMs += ms
  })
  total += profile.samples.length
}
console.log(`${positionals.length} profile(s), ${total} samples, ${(totalMs / 1000).toFixed(2)} s`)
for (const [key, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  console.log(`${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${ms.toFixed(1).padStart(8)} ms  ${key}`)
}
