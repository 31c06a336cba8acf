/**
 * A worker actor's entry where Node has a module compile cache (Node >= 22.1):
 * turns it on in this thread, then runs `child.js` through it. A thread does
 * not share its process's cache, and an entry's static imports compile before
 * its first line runs, so the cache is turned on here, before the runtime loads.
 */

import { workerData } from 'node:worker_threads'
import type { ChildData } from './child-data.js'

const { compileCache } = (workerData ?? {}) as Partial<ChildData>
try {
  ;(process.getBuiltinModule('node:module') as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache?.(compileCache)
} catch {
  // Node reports a cache it cannot open in its status; a throw means the same: this thread only boots slower.
}
// Not a string literal, so the build leaves child.js a module of its own.
await import(new URL('./child.js', import.meta.url).href)
