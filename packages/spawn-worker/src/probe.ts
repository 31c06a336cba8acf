/** The cheap support check for spawn method `'worker'`: does this runtime have usable worker threads? */

import { createRequire } from 'node:module'
import type { ProbeResult } from '@harrow/core/backend'

const loadWorkerThreads = (): unknown => createRequire(import.meta.url)('node:worker_threads')

/**
 * Whether this runtime can run worker actors: it must provide
 * `node:worker_threads` with `Worker` and `MessageChannel`. Loads only that
 * built-in module, never the backend.
 *
 * @param load how to load `node:worker_threads`; tests pass a stand-in for a runtime without it.
 */
export function probeWorkerThreads(load: () => unknown = loadWorkerThreads): ProbeResult {
  let workerThreads: unknown
  try {
    workerThreads = load()
  } catch (error) {
    return {
      supported: false,
      reason: `this runtime has no node:worker_threads (${(error as Error)?.message ?? String(error)}); run on Node.js >= 20.19, or use spawn method 'process'`,
    }
  }
  const { Worker, MessageChannel } = (workerThreads ?? {}) as { Worker?: unknown; MessageChannel?: unknown }
  if (typeof Worker !== 'function' || typeof MessageChannel !== 'function') {
    return {
      supported: false,
      reason:
        "this runtime's node:worker_threads has no Worker or MessageChannel, so actors cannot run as threads; run on Node.js >= 20.19, or use spawn method 'process'",
    }
  }
  return { supported: true }
}
