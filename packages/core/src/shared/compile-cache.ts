/** Node's module compile cache for actor children: their startup compiles the same modules every time. */

import * as nodeModule from 'node:module'
import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * Turn on Node's on-disk module compile cache (`module.enableCompileCache`,
 * Node >= 22.1) for this process, so a child's second and later boots skip
 * compiling core, the codec and the user's modules. The cache lives in a
 * per-user directory (`$XDG_CACHE_HOME/harrow/compile-cache`, else
 * `~/.cache/...`), not a shared temporary one whose name another user could
 * take first; Node writes it safely under concurrent writers. `NODE_COMPILE_CACHE`,
 * when set, keeps its meaning. A no-op on runtimes without the API (Node 20,
 * Bun, Deno) and when `HARROW_COMPILE_CACHE=0`. Never throws: a cache that
 * cannot be opened only means a slower boot.
 *
 * @returns whether the cache is on.
 */
export function enableCompileCache(): boolean {
  if (process.env.HARROW_COMPILE_CACHE === '0') return false
  const enable = (nodeModule as { enableCompileCache?: (dir?: string) => { status: number } }).enableCompileCache
  if (typeof enable !== 'function') return false
  try {
    const dir = process.env.NODE_COMPILE_CACHE ? undefined : join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'harrow', 'compile-cache')
    const { status } = enable(dir)
    const { ENABLED, ALREADY_ENABLED } = (nodeModule as { constants?: { compileCacheStatus?: Record<string, number> } }).constants?.compileCacheStatus ?? {}
    return status === ENABLED || status === ALREADY_ENABLED
  } catch {
    return false
  }
}
