#!/usr/bin/env node
// `pnpm test:runtimes`: the runtime matrix. The whole conformance suite (every backend project of
// packages/testing) with vitest and its actors on Node 22 and on Node 24, then the runtime conformance run:
// harrow roots on Bun and Deno, and `harrow backends --json` on all five runtimes. Runtimes are the pinned
// ones of scripts/runtimes.mjs, fetched from the npm registry on first use. Expects a built tree (`pnpm build`).
// `--only name,...` picks steps: node22, node24, bun-deno.
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { fetchRuntime } from './runtimes.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const testing = join(root, 'packages', 'testing')
const vitest = join(testing, 'node_modules', 'vitest', 'vitest.mjs')
const { values } = parseArgs({ options: { only: { type: 'string' } } })
const only = values.only?.split(',')

const paths = Object.fromEntries(['node22', 'node24', 'bun', 'deno'].map((name) => [name, fetchRuntime(name)]))
const runtimeEnv = Object.fromEntries(Object.entries(paths).map(([name, path]) => [`HARROW_RUNTIME_${name.toUpperCase()}`, path]))

/** One step: vitest on `node` in packages/testing, with that node first on PATH (so anything that runs `node` gets it). */
function step(name, node, args, env) {
  if (only && !only.includes(name)) return { name, skipped: true }
  console.log(`\n== test:runtimes ${name}: ${node} vitest ${args.join(' ')}`)
  const started = performance.now()
  // A temporary directory of its own (sticky and world-writable like /tmp, for the tests that drop privileges):
  // the leak checks look for socket files there, and must not see another run's.
  const tmp = mkdtempSync(join(tmpdir(), 'harrow-rt-'))
  chmodSync(tmp, 0o1777)
  const result = spawnSync(node, [vitest, ...args], {
    cwd: testing,
    stdio: 'inherit',
    env: { ...process.env, ...runtimeEnv, ...env, TMPDIR: tmp, PATH: `${dirname(node)}:${process.env.PATH ?? ''}` },
  })
  rmSync(tmp, { recursive: true, force: true })
  const seconds = Math.round((performance.now() - started) / 1000)
  return { name, ok: result.status === 0, status: result.status ?? result.signal, seconds }
}

const results = [
  // The other runtime gives the execPath conformance test a child on a different executable.
  step('node22', paths.node22, ['run'], { HARROW_EXPECT_NODE_MAJOR: '22', HARROW_TEST_OTHER_RUNTIME: paths.bun }),
  step('node24', paths.node24, ['run'], { HARROW_EXPECT_NODE_MAJOR: '24', HARROW_TEST_OTHER_RUNTIME: paths.deno }),
  step('bun-deno', process.execPath, ['run', '--config', 'vitest.runtimes.config.ts'], {}),
]

console.log('\n== test:runtimes summary')
for (const r of results) console.log(r.skipped ? `${r.name}\tskipped (--only)` : `${r.name}\t${r.ok ? 'passed' : `FAILED (${r.status})`}\t${r.seconds} s`)
process.exitCode = results.every((r) => r.skipped || r.ok) ? 0 : 1
