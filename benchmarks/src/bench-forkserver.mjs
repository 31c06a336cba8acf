// node src/bench-forkserver.mjs [--runs N] [--bursts N] [--json]
// The forkserver backend against the process backend, in one run: warm spawn-to-first-call from a small parent,
// from a parent holding 2 GiB of Buffers and from one holding 2 GiB of live JS heap (each case its own parent
// process), the parent's event-loop delay during those spawns, and a burst of 20 spawns from a pool of 4.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { parseArgs } from 'node:util'
import { ms, ratio, table } from './stats.mjs'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '50' }, bursts: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } } })
const run = promisify(execFile)
const CASE = fileURLToPath(new URL('./bench-forkserver-case.mjs', import.meta.url))
// Room for 2 GiB of live heap; --expose-gc lets the case collect once after filling it, so no collection lands in a sample.
const HEAP_FLAGS = ['--max-old-space-size=6144', '--expose-gc']

async function runCase(flags, args) {
  const { stdout } = await run(process.execPath, [...flags, CASE, ...args], { maxBuffer: 16 * 1024 * 1024, timeout: 30 * 60_000 })
  return JSON.parse(stdout.trim().split('\n').at(-1))
}

const runs = ['--runs', values.runs]
const small = await runCase([], ['--memory', 'small', ...runs])
const buffers = await runCase([], ['--memory', 'buffers', ...runs])
const heap = await runCase(HEAP_FLAGS, ['--memory', 'heap', ...runs])
const lateBuffers = await runCase([], ['--memory', 'buffers', '--start-only'])
// The same small-parent forkserver spawns with the parent alone on CPU 0 and the forkserver and its children on CPU 1.
const pinned = await runCase([], ['--memory', 'small', '--pin', ...runs])
const { burst } = await runCase([], ['--burst', '--bursts', values.bursts])

const base = small.spawn.forkserver.p50
const cases = [small, buffers, heap]
const targets = {
  'forkserver warm spawn-to-first-call p50 <= 5 ms (small parent)': base <= 5,
  'forkserver p50 at least 10x faster than process p50 (small parent)': small.spawn.process.p50 >= 10 * base,
  'forkserver p50 with 2 GiB of Buffers within 1.2x of the small parent': buffers.spawn.forkserver.p50 <= 1.2 * base,
  'forkserver p50 with 2 GiB of live JS heap within 1.2x of the small parent': heap.spawn.forkserver.p50 <= 1.2 * base,
  'no forkserver spawn blocks the parent event loop for more than 1 ms (max of every spawn)': cases.every((c) => c.spawn.forkserver.maxBlocked <= 1),
  'the same, with the parent on a CPU of its own (pinned pass)': pinned.spawn.forkserver.maxBlocked <= 1,
  'a burst of 20 spawns with poolSize 4 all succeed': burst.failed === 0,
}

if (values.json) {
  process.stdout.write(`${JSON.stringify({ node: process.version, platform: `${process.platform}/${process.arch}`, small, buffers, heap, lateBuffers, pinned, burst, targets }, null, 2)}\n`)
} else {
  const label = { small: 'small parent', buffers: '2 GiB of Buffers', heap: '2 GiB of live JS heap' }
  const rows = cases.flatMap((c) => [
    [`${label[c.memory]}: forkserver (warm)`, String(c.spawn.forkserver.n), ms(c.spawn.forkserver.p50), ms(c.spawn.forkserver.p90), ms(c.spawn.forkserver.p99), ratio(c.spawn.forkserver.p50, base), ms(c.spawn.forkserver.blocked.p50), ms(c.spawn.forkserver.blocked.p99), ms(c.spawn.forkserver.maxBlocked)],
    [`${label[c.memory]}: no spawn (control, 5 ms wait)`, String(c.spawn.idle.n), '', '', '', '', ms(c.spawn.idle.blocked.p50), ms(c.spawn.idle.blocked.p99), ms(c.spawn.idle.maxBlocked)],
    [`${label[c.memory]}: process`, String(c.spawn.process.n), ms(c.spawn.process.p50), ms(c.spawn.process.p90), ms(c.spawn.process.p99), ratio(c.spawn.process.p50, base), ms(c.spawn.process.blocked.p50), ms(c.spawn.process.blocked.p99), ms(c.spawn.process.maxBlocked)],
  ])
  console.log(`node ${process.version}, ${process.platform}/${process.arch}\n`)
  console.log('spawn to first call (startActor + run(add)), and the longest the parent event loop was blocked during one')
  console.log(table(['', 'n', 'p50', 'p90', 'p99', 'vs forkserver small p50', 'loop blocked p50', 'p99', 'max'], rows))
  console.log('(loop blocked: what monitorEventLoopDelay recorded beyond its 1 ms interval during each spawn; the control row is the same')
  console.log(' measurement over a window in which the parent only waits, i.e. what this machine records with no spawn at all)')
  const pf = pinned.spawn.forkserver
  console.log(`pinned (parent on CPU 0, forkserver and children on CPU 1), small parent: forkserver p50 ${ms(pf.p50)}, p99 ${ms(pf.p99)}; loop blocked p50 ${ms(pf.blocked.p50)}, p99 ${ms(pf.blocked.p99)}, max ${ms(pf.maxBlocked)} (control max ${ms(pinned.spawn.idle.maxBlocked)})`)
  console.log(`\nparent footprints: ${cases.map((c) => `${label[c.memory]} rss ${c.footprint.rssGiB} GiB (heap ${c.footprint.heapGiB}, buffers ${c.footprint.buffersGiB})`).join('; ')}`)
  console.log(`forkserver start (once per root, done while the parent was small): ${cases.map((c) => `${ms(c.serverStart.ms)}, loop blocked ${ms(c.serverStart.maxBlocked)}`).join('; ')}`)
  console.log(`forkserver started only once the parent held 2 GiB of Buffers: ${ms(lateBuffers.lateServerStart.ms)}, loop blocked ${ms(lateBuffers.lateServerStart.maxBlocked)} (once)`)
  console.log(`\nburst: ${burst.bursts} x ${burst.size} concurrent spawns, poolSize ${burst.poolSize}; each sample from the burst's start to that actor's first result`)
  console.log(table(['', 'n', 'failed', 'p50', 'p90', 'p99'], [['actor ready + first call', String(burst.n), String(burst.failed), ms(burst.p50), ms(burst.p90), ms(burst.p99)], ['whole burst', String(burst.total.n), '', ms(burst.total.p50), ms(burst.total.p90), ms(burst.total.p99)]]))
  console.log('\ntargets')
  for (const [name, met] of Object.entries(targets)) console.log(`  ${met ? 'met   ' : 'MISSED'} ${name}`)
}
