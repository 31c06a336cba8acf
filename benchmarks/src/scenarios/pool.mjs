/**
 * A pool of N workers (N = the CPUs) minifying a batch of real JavaScript files with terser: harrow's `startPool`
 * on the worker backend beside piscina and tinypool set up alike, and beside its floor (bare threads that load harrow's
 * child runtime, no protocol). Each sample opens a fresh pool, submits the whole
 * batch at once and times the first result and the last one from the moment the pool was asked for (what a batch
 * job sees, start-up included), then runs the batch again on the now-warm pool. Outputs must be identical across
 * contenders.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { openNursery, ref } from '@harrow/core'
import '@harrow/spawn-worker'
import { Piscina } from 'piscina'
import Tinypool from 'tinypool'
import { row } from '../stats.mjs'

const TASK = new URL('../fixtures/minify.mjs', import.meta.url)
const FLOOR_WORKER = new URL('../fixtures/pool-floor-worker.mjs', import.meta.url)
const minifySource = ref(TASK, 'minifySource')

/** The packages whose own sources are the batch: pinned devDependencies, so the input never changes between runs. */
const SOURCES = ['terser', 'piscina', 'tinypool', 'workerpool', 'msgpackr']

/** Files below this size, and no pre-minified bundles: a batch of ordinary modules (about 90 files, 0.5 MB). */
const MAX_FILE = 40_000

/** The batch: every .js/.mjs/.cjs file of {@link SOURCES}, sorted, as `{ name, code, module }`. */
export function batch() {
  const files = []
  for (const pkg of SOURCES) {
    // Through the package's link in node_modules: not every package exports its package.json.
    const root = realpathSync(fileURLToPath(new URL(`../../node_modules/${pkg}`, import.meta.url)))
    const walk = (dir) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) {
          if (entry.name !== 'node_modules') walk(path)
        } else if (/\.[mc]?js$/.test(entry.name) && !/\.min\.|bundle/.test(entry.name) && statSync(path).size < MAX_FILE) {
          files.push({ name: `${pkg}/${relative(root, path)}`, code: readFileSync(path, 'utf8'), module: entry.name.endsWith('.mjs') })
        }
      }
    }
    walk(root)
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : 1))
}

const versions = { piscina: '5.3.2', tinypool: '2.2.0' }

/** Each contender: `open(n)` resolves at once with `{ run(file), close() }`; its threads start as it pleases. */
function contenders(threads) {
  return [
    {
      id: 'piscina',
      label: `piscina ${versions.piscina} \`run\`, ${threads} threads`,
      open: () => {
        const pool = new Piscina({ filename: TASK.href, minThreads: threads, maxThreads: threads })
        return { run: (file) => pool.run(file), close: () => pool.destroy() }
      },
    },
    {
      id: 'tinypool',
      label: `tinypool ${versions.tinypool} \`run\`, ${threads} threads (worker_threads)`,
      open: () => {
        const pool = new Tinypool({ filename: TASK.href, runtime: 'worker_threads', minThreads: threads, maxThreads: threads, isolateWorkers: false })
        return { run: (file) => pool.run(file), close: () => pool.destroy() }
      },
    },
    {
      id: 'harrow-floor',
      label: `floor: ${threads} bare threads loading harrow's child runtime and the task, \`postMessage\``,
      baseline: 'piscina',
      open: () => floorPool(threads),
    },
    {
      id: 'harrow-worker',
      label: `harrow \`worker\` \`startPool\`, ${threads} members`,
      baseline: 'piscina',
      open: () => {
        // harrow's pool is opened by awaiting startPool (its members boot in parallel); calls made before it
        // resolves wait on it, so every contender is timed from the same moment.
        const ready = openNursery({ spawnMethod: 'worker' }).then(async (nursery) => ({
          nursery,
          pool: await nursery.startPool('minifiers', { size: threads, enableModules: [TASK] }),
        }))
        return {
          run: async (file) => (await ready).pool.run(minifySource, [file.code, file.module]),
          close: async () => {
            const { nursery, pool } = await ready
            await pool.close()
            await nursery.close()
          },
        }
      },
    },
  ]
}

/**
 * The floor of harrow's pool: `threads` bare threads that load harrow's child runtime and the task module (what a
 * worker actor loads before it serves) and take one file at a time by `postMessage`, with no harrow protocol.
 */
function floorPool(threads) {
  const workers = Array.from({ length: threads }, () => new Worker(FLOOR_WORKER))
  const queue = []
  const waiting = new Map()
  let nextId = 0
  const take = (worker) => {
    const job = queue.shift()
    if (job) worker.postMessage(job.message)
    else idle.push(worker)
  }
  const idle = []
  for (const worker of workers) {
    worker.on('message', ({ id, code }) => {
      waiting.get(id)(code)
      waiting.delete(id)
      take(worker)
    })
    idle.push(worker)
  }
  return {
    run: (file) =>
      new Promise((resolve) => {
        const id = nextId++
        waiting.set(id, resolve)
        const message = { id, code: file.code, module: file.module }
        const worker = idle.shift()
        if (worker) worker.postMessage(message)
        else queue.push({ message })
      }),
    close: () => Promise.all(workers.map((worker) => worker.terminate())),
  }
}

/** Submit every file at once; resolve with the times of the first and the last result after `started`, and the outputs. */
async function runBatch(client, files, started) {
  let first
  const outputs = await Promise.all(
    files.map((file) =>
      client.run(file).then((code) => {
        first ??= performance.now() - started
        return code
      }),
    ),
  )
  return { first, last: performance.now() - started, outputs }
}

function digest(outputs) {
  const hash = createHash('sha256')
  for (const code of outputs) hash.update(code).update('\0')
  return hash.digest('hex')
}

export default {
  id: 'pool',
  title: 'Pools: a batch of real CPU-bound work (terser)',
  how: `Pools of as many threads as CPUs minify a batch of about 90 JavaScript files (the pinned sources of terser, piscina, tinypool, workerpool and msgpackr, each under 40 kB) with terser 5.51.2, all submitted at once. Each sample opens a fresh pool and times its first result and its last (the batch) from the moment the pool was asked for, start-up included; then the same batch runs again on the warm pool. Samples alternate between the contenders (their order rotates); every contender's outputs must be byte-identical to the others'. The floor contender is as many bare threads that load harrow's child runtime and the task module (what a worker actor loads before it serves) and take one file at a time by \`postMessage\`: harrow's pool without its protocol.`,
  async run({ quick }) {
    const threads = availableParallelism()
    // --quick (CI's check that the scenario runs, outputs compared) takes a quarter of the batch, once.
    const files = quick ? batch().slice(0, 24) : batch()
    const runs = quick ? 1 : 10
    const all = contenders(threads)
    const samples = Object.fromEntries(all.flatMap((c) => [`first:${c.id}`, `batch:${c.id}`, `warm:${c.id}`].map((k) => [k, []])))
    let expected
    for (let i = 0; i < runs; i++) {
      for (let j = 0; j < all.length; j++) {
        const contender = all[(i + j) % all.length]
        const started = performance.now()
        const client = contender.open()
        try {
          const cold = await runBatch(client, files, started)
          const warmStart = performance.now()
          const warm = await runBatch(client, files, warmStart)
          for (const outputs of [cold.outputs, warm.outputs]) {
            const sum = digest(outputs)
            expected ??= sum
            if (sum !== expected) throw new Error(`${contender.id}: outputs differ from the other contenders'`)
          }
          samples[`first:${contender.id}`].push(cold.first)
          samples[`batch:${contender.id}`].push(cold.last)
          samples[`warm:${contender.id}`].push(warm.last)
        } finally {
          await client.close()
        }
      }
    }
    const rows = []
    for (const [kind, what] of [
      ['first', 'time to first result (cold pool)'],
      ['batch', `batch of ${files.length} files (cold pool)`],
      ['warm', `batch of ${files.length} files (warm pool)`],
    ]) {
      for (const c of all) {
        rows.push(row(`${kind}:${c.id}`, `${c.label}: ${what}`, samples[`${kind}:${c.id}`], c.baseline ? { baseline: `${kind}:${c.baseline}` } : {}))
      }
    }
    return { rows, notes: [`${files.length} files, ${(files.reduce((n, f) => n + f.code.length, 0) / 1024).toFixed(0)} KiB, ${threads} threads per pool`] }
  },
}
