// pnpm bench [--quick] [--only a,b] [--skip a,b] [--out DIR] [--no-write] [--from results.json]
// Runs every scenario (src/scenarios/index.mjs), each case in a fresh node process of its own, and writes
// BENCHMARKS.md (repo root) and benchmarks/chart.svg and benchmarks/results.json. --quick takes few samples and
// skips the 2-4 GiB parents (under 2 minutes, for CI) and writes to a temporary directory unless --out is given;
// --no-write only prints; --from renders BENCHMARKS.md and the chart again from an earlier run's results.json
// (after editing benchmarks/analysis.md, say) without measuring anything.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, freemem, loadavg, release, tmpdir, totalmem, type } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { renderChart } from './chart.mjs'
import { renderMarkdown } from './report.mjs'
import { SCENARIOS, casesOf, loadScenario } from './scenarios/index.mjs'
import { quantity, rate, table } from './stats.mjs'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const RUNNER = fileURLToPath(new URL('./run-scenario.mjs', import.meta.url))
/** The longest one case may take before it is killed. */
const CASE_TIMEOUT = 20 * 60_000

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    skip: { type: 'string' },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    from: { type: 'string' },
  },
})
const quick = values.quick
const list = (s) =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : []
const only = list(values.only)
const skip = list(values.skip)
for (const id of [...only, ...skip]) if (!SCENARIOS.includes(id)) throw new Error(`unknown scenario '${id}': one of ${SCENARIOS.join(', ')}`)
const selected = SCENARIOS.filter((id) => (only.length === 0 || only.includes(id)) && !skip.includes(id))

for (const pkg of ['core', 'spawn-process', 'spawn-worker', 'spawn-forkserver', 'spawn-ssh']) {
  if (!existsSync(join(ROOT, 'packages', pkg, 'dist', 'index.js'))) {
    console.error(`packages/${pkg} is not built: run \`pnpm build\` first (\`pnpm bench\` from the root does).`)
    process.exit(1)
  }
}

const log = (line) => process.stderr.write(`${line}\n`)
const load = () => loadavg().map((x) => x.toFixed(2))

/** Other processes keeping this machine busy, by name: noted in BENCHMARKS.md. */
function otherLoad() {
  try {
    const out = execFileSync('ps', ['-eo', 'pid=,pcpu=,args='], { encoding: 'utf8' })
    const busy = out
      .split('\n')
      .map((line) => line.trim().match(/^(\d+)\s+([\d.]+)\s+(.*)$/))
      .filter((m) => m && Number(m[1]) !== process.pid && Number(m[2]) >= 20)
      .map((m) => `${m[3].slice(0, 60)} (${m[2]}% CPU)`)
    return busy.length ? `busy when the run started: ${busy.join('; ')}` : undefined
  } catch {
    return undefined
  }
}

/** Processes in process group `pgid` (the case's runner and whatever it started), other than zombies. */
function groupMembers(pgid) {
  try {
    const out = execFileSync('ps', ['-eo', 'pid=,pgid=,stat=,args='], { encoding: 'utf8' })
    return out
      .split('\n')
      .map((line) => line.trim().match(/^(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/))
      .filter((m) => m && Number(m[2]) === pgid && !m[3].startsWith('Z'))
      .map((m) => ({ pid: Number(m[1]), args: m[4] }))
  } catch {
    return []
  }
}

/** Run one case in a fresh node, in a process group of its own, and make sure nothing of it outlives it. */
function runCase(scenarioId, kase, resultFile) {
  const args = [...(kase.nodeFlags ?? []), RUNNER, scenarioId, '--case', kase.id, '--result', resultFile, ...(quick ? ['--quick'] : [])]
  // taskset execs node, so the child's pid (and process group) stays the runner's; its children inherit the affinity.
  // A case may run on another node (`execPath`: a pinned runtime from scripts/runtimes.mjs).
  const node = kase.execPath ?? process.execPath
  const [command, argv] = kase.pin === undefined ? [node, args] : ['taskset', ['-c', kase.pin, node, ...args]]
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'inherit', 'inherit'], detached: true })
    const killGroup = (signal) => {
      try {
        process.kill(-child.pid, signal)
      } catch {
        // Already gone.
      }
    }
    const timer = setTimeout(() => {
      log(`  ${scenarioId}/${kase.id}: timed out after ${CASE_TIMEOUT / 60_000} min; killing it`)
      killGroup('SIGKILL')
    }, CASE_TIMEOUT)
    const onSignal = () => {
      killGroup('SIGKILL')
      process.exit(130)
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    child.on('exit', async (code, signal) => {
      clearTimeout(timer)
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      // Give exiting descendants a moment, then report and end whatever is left of this case's group.
      let left = groupMembers(child.pid)
      for (let i = 0; i < 20 && left.length > 0; i++) {
        await new Promise((r) => setTimeout(r, 100))
        left = groupMembers(child.pid)
      }
      if (left.length > 0) {
        log(`  ${scenarioId}/${kase.id}: left ${left.length} processes behind, killed: ${left.map((p) => `${p.pid} ${p.args.slice(0, 80)}`).join('; ')}`)
        killGroup('SIGKILL')
      }
      if (code !== 0) return reject(new Error(`${scenarioId}/${kase.id} exited with ${signal ?? code}`))
      try {
        resolve({ ...JSON.parse(readFileSync(resultFile, 'utf8')), leftBehind: left.length })
      } catch (error) {
        reject(error)
      }
    })
  })
}

function printTable(result) {
  const rows = result.cases.flatMap((c) => c.rows ?? [])
  const byId = new Map(rows.map((r) => [r.id, r]))
  log(
    table(
      ['', 'n', 'p50', 'p90', 'p99', 'throughput', 'ratio'],
      rows.map((r) => [
        r.label.replaceAll('`', ''),
        String(r.n),
        quantity(r.p50, r.unit),
        quantity(r.p90, r.unit),
        quantity(r.p99, r.unit),
        rate(r.throughput),
        r.baseline ? `${(r.p50 / byId.get(r.baseline).p50).toFixed(2)}x` : '',
      ]),
    ),
  )
  for (const c of result.cases) {
    if (c.skipped) log(`  ${c.id}: ${c.skipped}`)
    for (const note of c.notes ?? []) log(`  ${note}`)
  }
}

const ANALYSIS = join(ROOT, 'benchmarks', 'analysis.md')
const previous = values.from ? JSON.parse(readFileSync(values.from, 'utf8')) : undefined
const started = performance.now()
const meta = previous?.meta ?? {
  quick,
  date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown CPU',
  memoryGiB: (totalmem() / 1024 ** 3).toFixed(0),
  os: `${type()} ${release()} ${process.arch}`,
  commit: (() => {
    try {
      const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
      const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim()
      return `${head}${dirty ? ' (with uncommitted changes)' : ''}`
    } catch {
      return 'unknown'
    }
  })(),
  loadBefore: load(),
  otherLoad: otherLoad(),
}
if (!previous)
  log(
    `harrow bench${quick ? ' --quick' : ''}: ${selected.join(', ')}; node ${process.version}, ${meta.cpus} CPUs, load ${meta.loadBefore.join(' ')}, ${(freemem() / 1024 ** 3).toFixed(1)} GiB free`,
  )

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()
const results = previous?.results ?? {}
let failed = 0
const work = previous ? undefined : mkdtempSync(join(tmpdir(), 'harrow-bench-'))
try {
  for (const id of previous ? [] : selected) {
    const scenario = await loadScenario(id)
    const cases = casesOf(scenario, { quick })
    if (cases.length === 0) continue
    const result = { title: scenario.title, how: scenario.how, cases: [] }
    log(`\n## ${scenario.title} (${id})`)
    for (const kase of cases) {
      if (kase.pin !== undefined && !hasTaskset) kase.skip = 'skipped: taskset (util-linux) is not installed'
      if (kase.skip) {
        result.cases.push({ id: kase.id, label: kase.label, skipped: kase.skip })
        continue
      }
      const t0 = performance.now()
      try {
        const out = await runCase(id, kase, join(work, `${id}-${kase.id}.json`))
        result.cases.push({ id: kase.id, label: kase.label, ...out })
        log(`  ${id}/${kase.id}: ${((performance.now() - t0) / 1000).toFixed(1)} s`)
      } catch (error) {
        failed++
        log(`  ${id}/${kase.id} FAILED: ${error.message}`)
        result.cases.push({ id: kase.id, label: kase.label, skipped: `failed: ${error.message}` })
      }
    }
    results[id] = result
    printTable(result)
  }
} finally {
  if (work) rmSync(work, { recursive: true, force: true })
}

if (!previous) {
  meta.loadAfter = load()
  meta.seconds = (performance.now() - started) / 1000
}

const outDir = values.out ?? (meta.quick ? join(tmpdir(), 'harrow-bench-quick') : undefined)
const mdPath = outDir ? join(outDir, 'BENCHMARKS.md') : join(ROOT, 'BENCHMARKS.md')
const chartPath = outDir ? join(outDir, 'chart.svg') : join(ROOT, 'benchmarks', 'chart.svg')
const jsonPath = outDir ? join(outDir, 'results.json') : join(ROOT, 'benchmarks', 'results.json')
// The hand-written analysis (profiles, fixes, what is left) stays in its own file; a full run's BENCHMARKS.md links it.
const analysisPath = !meta.quick && existsSync(ANALYSIS) ? relative(join(mdPath, '..'), ANALYSIS) : undefined
const { markdown, targets } = renderMarkdown({ meta, results, analysisPath, chartPath: relative(join(mdPath, '..'), chartPath) })

log('\n## Targets')
for (const t of targets) log(`  ${t.met === undefined ? 'n/a   ' : t.met ? 'met   ' : 'MISSED'} ${t.target}: ${t.figure}`)
log(`\n${meta.seconds.toFixed(0)} s; load average before ${meta.loadBefore.join(' ')}, after ${meta.loadAfter.join(' ')}`)

if (!values['no-write']) {
  if (outDir) mkdirSync(outDir, { recursive: true })
  writeFileSync(mdPath, `${markdown}\n`)
  writeFileSync(chartPath, renderChart({ results, meta }))
  if (!previous) writeFileSync(jsonPath, `${JSON.stringify({ meta, results, targets }, null, 2)}\n`)
  log(`wrote ${relative(process.cwd(), mdPath) || mdPath}, ${relative(process.cwd(), chartPath)}, ${relative(process.cwd(), jsonPath)}`)
}
if (failed > 0) {
  log(`${failed} case(s) failed`)
  process.exitCode = 1
}
