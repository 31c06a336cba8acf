#!/usr/bin/env node
// Consumer smoke test: pack every public package, install the tarballs into
// fresh apps outside the workspace (core plus one backend, then core plus all),
// run a small actor program there, and check what `harrow backends` reports.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'harrow-smoke-'))
const quiet = { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 180_000 }

function run(command, args, cwd) {
  try {
    return execFileSync(command, args, { ...quiet, cwd })
  } catch (error) {
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${error.stdout ?? ''}${error.stderr ?? ''}`)
  }
}

const publicPackages = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir: join(root, 'packages', dir), manifest: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => !manifest.private)

const tarballs = new Map()
for (const { dir, manifest } of publicPackages) {
  const out = run('pnpm', ['pack', '--pack-destination', work], dir).trim().split('\n').at(-1)
  tarballs.set(manifest.name, out.startsWith('/') ? out : join(work, out))
}
const backends = [...tarballs.keys()].filter((name) => name.startsWith('@harrow/spawn-')).map((name) => name.slice('@harrow/spawn-'.length))
const allKeys = ['process', 'worker', 'forkserver']
/** Backends whose actors run on another host (ssh): the smoke test starts no server for them. */
const NEEDS_A_HOST = new Set(['ssh'])

const program = `
import { ref, withNursery } from '@harrow/core'
const tasks = new URL('./tasks.mjs', import.meta.url)
const spawnMethod = process.argv[2]
const answer = await withNursery(async (nursery) => {
  const portal = await nursery.startActor('smoke', { enableModules: [tasks] })
  const items = []
  for await (const n of portal.stream(ref(tasks, 'count'), [3])) items.push(n)
  return { sum: await portal.run(ref(tasks, 'add'), [40, 2]), items, method: portal.actor.spawnMethod }
}, { spawnMethod })
console.log(JSON.stringify(answer))
`
const tasks = `
export const add = (a, b) => a + b
export async function* count(n) { for (let i = 0; i < n; i++) yield i }
`

function app(name, packages) {
  const dir = join(work, name)
  run('mkdir', ['-p', dir], work)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `smoke-${name}`, private: true, type: 'module' }))
  writeFileSync(join(dir, 'main.mjs'), program)
  writeFileSync(join(dir, 'tasks.mjs'), tasks)
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...packages.map((p) => tarballs.get(p))], dir)
  return dir
}

/** Every source map a published file names is published too: tools that follow a dangling one print a stack per file. */
function checkSourceMaps(dir) {
  const scope = join(dir, 'node_modules', '@harrow')
  for (const pkg of readdirSync(scope)) {
    const dist = join(scope, pkg, 'dist')
    for (const file of readdirSync(dist).filter((name) => name.endsWith('.js'))) {
      const named = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(dist, file), 'utf8'))?.[1]
      if (named && !existsSync(join(dist, named))) throw new Error(`@harrow/${pkg}/dist/${file} names a source map that is not published: ${named}`)
    }
  }
}

function check(dir, installed) {
  checkSourceMaps(dir)
  const version = run(process.execPath, [join(dir, 'node_modules/@harrow/core/bin/harrow.js'), '--version'], dir).trim()
  if (version !== JSON.parse(readFileSync(join(dir, 'node_modules/@harrow/core/package.json'), 'utf8')).version)
    throw new Error(`harrow --version printed ${version}`)
  // A backend that reaches other hosts has no host here: it is checked as installed and listed, not run.
  for (const key of installed.filter((k) => !NEEDS_A_HOST.has(k))) {
    const answer = JSON.parse(run(process.execPath, ['main.mjs', key], dir).trim().split('\n').at(-1))
    if (answer.sum !== 42 || answer.items.join() !== '0,1,2' || answer.method !== key) throw new Error(`unexpected answer on ${key}: ${JSON.stringify(answer)}`)
  }
  const rows = JSON.parse(run(process.execPath, [join(dir, 'node_modules/@harrow/core/bin/harrow.js'), 'backends', '--json'], dir))
  for (const key of new Set([...allKeys, ...installed])) {
    const row = rows.find((r) => r.key === key)
    if (installed.includes(key)) {
      if (!row?.installed || !row.supported) throw new Error(`${key} should be installed and supported: ${JSON.stringify(row)}`)
    } else if (row?.installed || !row?.reason?.includes(`npm install @harrow/spawn-${key}`)) {
      throw new Error(`${key} should be reported as not installed, with the command that installs it: ${JSON.stringify(row)}`)
    }
  }
}

try {
  for (const key of backends) {
    check(app(`only-${key}`, ['@harrow/core', `@harrow/spawn-${key}`]), [key])
    console.log(`consumer smoke: @harrow/core + @harrow/spawn-${key}: ok`)
  }
  check(app('all', ['@harrow/core', ...backends.map((key) => `@harrow/spawn-${key}`)]), backends)
  console.log(`consumer smoke: @harrow/core + every backend (${backends.join(', ')}): ok`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
