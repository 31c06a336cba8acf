/**
 * The runtime conformance run: harrow roots on Bun and Deno (and `harrow backends` on every runtime). Vitest
 * runs on Node; each root program runs on the runtime under test, with the backends the registry reports
 * supported there. The executables come from `scripts/runtimes.mjs` through HARROW_RUNTIME_<NAME> variables.
 */

import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { SSH_DEFAULTS_ENV } from '@harrow/spawn-ssh'
import { sshdUnavailable, startSshd, type TestSshd } from '@harrow/spawn-ssh/test-sshd'
import { isAlive, processGroup, rootPrograms, waitFor } from '@harrow/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const run = promisify(execFile)
const packageRoot = fileURLToPath(new URL('../../', import.meta.url))
const cli = fileURLToPath(import.meta.resolve('@harrow/core/package.json').replace(/package\.json$/, 'bin/harrow.js'))

/** How long a tree may take to disappear after its root dies or is interrupted. */
const TEARDOWN_BOUND = 3000

interface BackendRow {
  key: string
  supported: boolean
  reason?: string
  entry?: string
}

/** The runtimes whose roots run the scenarios, and those where only `harrow backends` is checked. */
const rootRuntimes = ['bun', 'deno'] as const
const listingRuntimes = ['node', 'node22', 'node24', 'bun', 'deno'] as const

function executable(name: string): string {
  if (name === 'node') return process.execPath
  const path = process.env[`HARROW_RUNTIME_${name.toUpperCase()}`]
  if (!path) throw new Error(`HARROW_RUNTIME_${name.toUpperCase()} is not set: run this through \`pnpm test:runtimes\` (scripts/test-runtimes.mjs)`)
  return path
}

/** The command line that runs `program` with `args` on runtime `name`. */
function command(name: string, program: string, args: readonly string[]): [string, string[]] {
  return [executable(name), [...(name === 'deno' ? ['run', '-A'] : []), program, ...args]]
}

async function backends(name: string): Promise<BackendRow[]> {
  const [file, args] = command(name, cli, ['backends', '--json'])
  const { stdout } = await run(file, args, { cwd: packageRoot, timeout: 60_000 })
  return JSON.parse(stdout) as BackendRow[]
}

function killGroup(pgid: number | undefined): void {
  if (pgid === undefined) return
  try {
    process.kill(-pgid, 'SIGKILL')
  } catch {
    // already gone
  }
}

/** Start a root program in its own process group and read the first line it prints. */
async function startRoot(
  name: string,
  program: string,
  row: BackendRow,
  env: NodeJS.ProcessEnv,
): Promise<{ root: ReturnType<typeof spawn>; pids: number[]; stderr: () => string }> {
  const [file, args] = command(name, program, [row.key, ...(row.entry ? [row.entry] : [])])
  const root = spawn(file, args, { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env })
  let err = ''
  root.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
  let out = ''
  const exited = once(root, 'exit').then(([code, signal]) => {
    throw new Error(`the root exited before it was ready (code ${String(code)}, signal ${String(signal)}): ${err}`)
  })
  const line = new Promise<string>((resolve) =>
    root.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')))
    }),
  )
  try {
    const { pids } = JSON.parse(await Promise.race([line, exited])) as { pids: number[] }
    return { root, pids, stderr: () => err }
  } catch (error) {
    killGroup(root.pid)
    throw error
  } finally {
    exited.catch(() => {})
  }
}

describe('harrow backends --json', () => {
  test.each(listingRuntimes)('loads on %s, and every unsupported backend says why', async (name) => {
    const rows = await backends(name)
    expect(rows.map((row) => row.key)).toEqual(expect.arrayContaining(['process', 'worker', 'forkserver']))
    for (const row of rows) if (!row.supported) expect(row.reason?.trim()).toBeTruthy()
  })
})

/** Backends whose actors run on another host: here, a loopback sshd the run starts. */
const NEEDS_A_HOST = new Set(['ssh'])
const noSshd = sshdUnavailable()

let sshd: TestSshd | undefined
beforeAll(async () => {
  if (noSshd === undefined) sshd = await startSshd({ alias: 'harrow-runtimes' })
})
afterAll(async () => {
  await sshd?.stop()
})

/**
 * The environment of a root program on `row`'s backend. An ssh actor of a Bun or Deno root runs on this Node on the
 * "other host" (this machine, through the loopback sshd): what runs on the runtime under test is the root and its
 * ssh backend.
 */
function rootEnv(row: BackendRow): NodeJS.ProcessEnv {
  if (!NEEDS_A_HOST.has(row.key) || sshd === undefined) return process.env
  return { ...process.env, [SSH_DEFAULTS_ENV]: JSON.stringify({ host: sshd.host, configFile: sshd.configFile, node: process.execPath }) }
}

for (const name of rootRuntimes) {
  describe(`roots on ${name}`, async () => {
    const rows = await backends(name)
    const supported = rows.filter((row) => row.supported)
    const runnable = supported.filter((row) => !NEEDS_A_HOST.has(row.key) || noSshd === undefined)
    for (const row of supported.filter((r) => !runnable.includes(r))) {
      test.skip(`${row.key}: the core scenarios (skipped: it needs a host to reach, and ${noSshd ?? ''})`, () => {})
    }

    test('the registry reports a reason for every backend it does not support, and supports at least one', () => {
      expect(supported.length).toBeGreaterThan(0)
      for (const row of rows.filter((r) => !r.supported)) expect(row.reason?.trim()).toBeTruthy()
    })

    describe.each(runnable.map((row) => [row.key, row] as const))('%s', (_key, row) => {
      test('calls, streams, contexts, remote errors, the kill ladder on a wedged actor and boot death', async () => {
        const [file, args] = command(name, rootPrograms.scenarios, [row.key, ...(row.entry ? [row.entry] : [])])
        const { stdout } = await run(file, args, { cwd: packageRoot, timeout: 100_000, env: rootEnv(row) })
        const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { runtime: string; results: Record<string, string> }
        expect(report.runtime.startsWith(name)).toBe(true)
        expect(report.results).toEqual({ calls: 'ok', streams: 'ok', contexts: 'ok', remoteErrors: 'ok', wedgedCancel: 'ok', bootDeath: 'ok' })
      })

      test('a root killed with SIGKILL leaves no actor behind', async () => {
        const { root, pids } = await startRoot(name, rootPrograms.tree, row, rootEnv(row))
        try {
          expect(pids).toHaveLength(4)
          root.kill('SIGKILL')
          // Thread ids are not pids: a worker tree is gone with its root's process group.
          const actors = row.key === 'worker' ? [] : pids
          expect(await waitFor(() => processGroup(root.pid as number).length === 0 && !actors.some(isAlive), TEARDOWN_BOUND)).toBe(true)
          expect(actors.filter(isAlive)).toEqual([])
        } finally {
          killGroup(root.pid)
        }
      })

      test('Ctrl-C tears the tree down and exits 130 without a stack trace', async () => {
        const { root, pids, stderr } = await startRoot(name, rootPrograms.interrupt, row, rootEnv(row))
        try {
          expect(pids).toHaveLength(4)
          const exited = once(root, 'exit') as Promise<[number | null, string | null]>
          process.kill(-(root.pid as number), 'SIGINT')
          const [code, signal] = await exited
          expect({ code, signal }).toEqual({ code: 130, signal: null })
          const actors = row.key === 'worker' ? [] : pids
          expect(await waitFor(() => processGroup(root.pid as number).length === 0 && !actors.some(isAlive), TEARDOWN_BOUND)).toBe(true)
          expect(actors.filter(isAlive)).toEqual([])
          expect(stderr()).toBe('')
        } finally {
          killGroup(root.pid)
        }
      })
    })
  })
}
