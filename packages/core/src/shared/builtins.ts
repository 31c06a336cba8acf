/**
 * Node built-ins that are loaded on first use, through `require`. Importing a
 * built-in as ESM builds its whole namespace, and for `fs`, `util` and
 * `worker_threads` that evaluates lazy getters which load streams and the
 * worker machinery: milliseconds at the start of every actor that never
 * needs them.
 */

import { createRequire } from 'node:module'
import type * as Fs from 'node:fs'
import type * as Util from 'node:util'
import type * as WorkerThreads from 'node:worker_threads'

const require = createRequire(import.meta.url)

let fs: typeof Fs | undefined
let util: typeof Util | undefined
let workerThreads: typeof WorkerThreads | undefined

/** `node:fs`, loaded on first use. */
export function lazyFs(): typeof Fs {
  return (fs ??= require('node:fs') as typeof Fs)
}

/** `node:util`, loaded on first use. */
export function lazyUtil(): typeof Util {
  return (util ??= require('node:util') as typeof Util)
}

/** `node:worker_threads`, loaded on first use. */
export function lazyWorkerThreads(): typeof WorkerThreads {
  return (workerThreads ??= require('node:worker_threads') as typeof WorkerThreads)
}
