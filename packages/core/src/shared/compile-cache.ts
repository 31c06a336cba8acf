/** Node's module compile cache for actor children: their startup compiles the same modules every time. */

import { homedir } from 'node:os'
import { join } from 'node:path'
import { lazyNodeModule } from './builtins.js'

/** `module.enableCompileCache` and its status codes, where the runtime has them. */
interface CompileCacheApi {
  readonly enableCompileCache?: (dir?: string) => { status: number }
  readonly constants?: { compileCacheStatus?: Record<string, number> }
}

/** Whether this runtime has Node's module compile cache (`module.enableCompileCache`: Node >= 22.1; not Bun, Deno). */
export function hasCompileCache(): boolean {
  return typeof (lazyNodeModule() as CompileCacheApi).enableCompileCache === 'function'
}

/**
 * The directory a child started with `env` keeps Node's module compile
 * cache in, on a runtime that has one: a per-user directory
 * (`$XDG_CACHE_HOME/harrow/compile-cache`, else `$HOME/.cache/...`, as `env` sets them), not a
 * shared temporary one whose name another user could take first.
 * `undefined` when the child turns nothing on itself:
 * `HARROW_COMPILE_CACHE=0`, or `NODE_COMPILE_CACHE` set (Node then turns the
 * cache on at start, in every process and thread). Which runtime has the
 * cache is {@link hasCompileCache}'s to say: a child may run on another one.
 *
 * @param env the child's environment. @default process.env
 */
export function compileCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  if (env.HARROW_COMPILE_CACHE === '0' || env.NODE_COMPILE_CACHE) return undefined
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'harrow', 'compile-cache')
}

/**
 * Turn on Node's on-disk module compile cache (`module.enableCompileCache`,
 * Node >= 22.1) for this thread, in `dir`, so that a child's second and later
 * boots skip compiling core, the codec and the user's modules; Node writes it
 * safely under concurrent writers. `NODE_COMPILE_CACHE`, when set, keeps its
 * meaning. A no-op on runtimes without the API and when `HARROW_COMPILE_CACHE=0`.
 * Never throws: a cache that cannot be opened only means a slower boot.
 *
 * @param dir where the cache is. @default compileCacheDir()
 * @returns whether the cache is on.
 */
export function enableCompileCache(dir: string | undefined = compileCacheDir()): boolean {
  const { enableCompileCache: enable, constants } = lazyNodeModule() as CompileCacheApi
  if (typeof enable !== 'function' || process.env.HARROW_COMPILE_CACHE === '0') return false
  try {
    const { status } = enable(dir)
    const { ENABLED, ALREADY_ENABLED } = constants?.compileCacheStatus ?? {}
    return status === ENABLED || status === ALREADY_ENABLED
  } catch {
    return false
  }
}
