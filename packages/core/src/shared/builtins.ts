/**
 * Node built-ins that are loaded on first use, through `process.getBuiltinModule`
 * (Node >= 20.16, Bun, Deno). Importing a built-in as ESM builds its whole
 * namespace, and for `fs`, `util` and `worker_threads` that evaluates lazy
 * getters which load streams and the worker machinery; a `require` made at
 * load time costs a child about a millisecond more (`createRequire` and
 * `import.meta`). Every actor starts with this module, and most never need them.
 */

import type * as Fs from 'node:fs'
import type NodeModule from 'node:module'
import type * as Util from 'node:util'
import type * as WorkerThreads from 'node:worker_threads'

let fs: typeof Fs | undefined
let nodeModule: typeof NodeModule | undefined
let util: typeof Util | undefined
let workerThreads: typeof WorkerThreads | undefined

/** `node:fs`, loaded on first use. */
export function lazyFs(): typeof Fs {
  return (fs ??= process.getBuiltinModule('node:fs'))
}

/** `node:module`, loaded on first use. */
export function lazyNodeModule(): typeof NodeModule {
  return (nodeModule ??= process.getBuiltinModule('node:module'))
}

/** `node:util`, loaded on first use. */
export function lazyUtil(): typeof Util {
  return (util ??= process.getBuiltinModule('node:util'))
}

/** `node:worker_threads`, loaded on first use. */
export function lazyWorkerThreads(): typeof WorkerThreads {
  return (workerThreads ??= process.getBuiltinModule('node:worker_threads'))
}
