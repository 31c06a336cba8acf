/**
 * Node flags for worker actors: which of the requested flags a Worker takes,
 * which are already in effect for the whole process, and the TypeScript
 * loader (tsx) that must be registered in each thread by hand.
 */

import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, isAbsolute, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const INVALID_PREFIX = 'Initiated Worker with invalid execArgv flags: '

/**
 * The flags named by Node's `ERR_WORKER_INVALID_EXEC_ARGV`: process-wide
 * options (V8 flags such as `--max-old-space-size` or `--expose-gc`,
 * `--title`, ...) that Node refuses for a single thread. `undefined` when the
 * error does not list them in the form Node 20 to 24 use.
 */
export function refusedFlags(error: unknown): string[] | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  if (code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || typeof message !== 'string' || !message.startsWith(INVALID_PREFIX)) return undefined
  const flags = message
    .slice(INVALID_PREFIX.length)
    .split(', ')
    .filter((flag) => flag.length > 0)
  return flags.length > 0 ? flags : undefined
}

/** `execArgv` without `refused` (and the separate value of a refused `--flag value`). */
export function withoutFlags(execArgv: readonly string[], refused: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] as string
    if (!refused.includes(arg)) {
      out.push(arg)
      continue
    }
    const next = execArgv[i + 1]
    if (!arg.includes('=') && next !== undefined && !next.startsWith('-')) i++
  }
  return out
}

/**
 * Split the flags Node refused into those the process already runs with
 * (listed in its own `process.execArgv`, so in effect for every thread: V8
 * flags are process-wide) and those it does not, which no thread can get.
 */
export function classifyRefused(
  refused: readonly string[],
  processExecArgv: readonly string[] = process.execArgv,
): { inEffect: string[]; impossible: string[] } {
  const inEffect: string[] = []
  const impossible: string[] = []
  for (const flag of refused) (processExecArgv.includes(flag) ? inEffect : impossible).push(flag)
  return { inEffect, impossible }
}

/** The values of `--import` flags in `execArgv`. */
function importedModules(execArgv: readonly string[]): string[] {
  const modules: string[] = []
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] as string
    if (arg === '--import' && execArgv[i + 1] !== undefined) modules.push(execArgv[++i] as string)
    else if (arg.startsWith('--import=')) modules.push(arg.slice('--import='.length))
  }
  return modules
}

/** The directory of the package named `name` that holds `file`, if any. */
function packageRootOf(file: string, name: string): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === name) return dir
      } catch {
        // an unreadable manifest on the way up: keep looking
      }
    }
    if (dirname(dir) === dir) return undefined
  }
}

function toPath(specifier: string, cwd: string): string | undefined {
  try {
    if (specifier.startsWith('file:')) return fileURLToPath(specifier)
    if (isAbsolute(specifier)) return specifier
    if (specifier.startsWith('.')) return join(cwd, specifier)
    // A bare specifier given to --import is resolved from the working directory, as Node does.
    return createRequire(join(cwd, 'noop.js')).resolve(specifier)
  } catch {
    return undefined
  }
}

/**
 * When `execArgv` loads tsx (`--import tsx`, or a path into the tsx
 * package), the `file:` URL of that tsx's programmatic API (`tsx/esm/api`).
 * On Node versions before 22.22.3 / 24.11.1, tsx registers its hooks only on
 * the main thread, so a worker actor registers it with this API itself.
 */
export function tsxApiFor(execArgv: readonly string[], cwd: string = process.cwd()): string | undefined {
  for (const specifier of importedModules(execArgv)) {
    if (specifier !== 'tsx' && !specifier.startsWith('tsx/') && !/[\\/]tsx[\\/]/.test(specifier)) continue
    const file = toPath(specifier, cwd)
    const root = file === undefined ? undefined : packageRootOf(file, 'tsx')
    if (root === undefined) continue
    try {
      const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports?: Record<string, unknown> }
      const api = manifest.exports?.['./esm/api'] as { import?: { default?: string } | string } | undefined
      const target = typeof api?.import === 'string' ? api.import : api?.import?.default
      if (typeof target === 'string') return pathToFileURL(join(root, target)).href
    } catch {
      // not a tsx we understand: the actor's import reports what fails
    }
  }
  return undefined
}
