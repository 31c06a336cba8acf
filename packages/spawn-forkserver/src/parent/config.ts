/** The forkserver's options, as `configureForkserver` sets them, and the pool configuration they make. */

import { normalizeModule } from '@harrow/core/backend'
import type { PoolConfig } from '../shared/wire.js'

/** Options of `configureForkserver`. Each call sets the fields it names; the others keep their values. */
export interface ForkserverOptions {
  /**
   * Warm children kept booted and idle. `0` keeps none: every actor then
   * gets a child booted on demand (still by the forkserver, so still
   * independent of the parent's memory).
   *
   * @default 2
   */
  readonly poolSize?: number
  /**
   * Modules every warm child imports after core while it boots, so actors
   * that enable them start faster. Absolute `file:` URLs, absolute paths or
   * bare package specifiers. A preload module that fails to import is logged
   * and skipped; actors import what they enable themselves.
   *
   * @default []
   */
  readonly preload?: readonly (string | URL)[]
  /**
   * Node flags warm children start with. Actors whose `execArgv` differs get
   * a child booted for them.
   *
   * @default process.execArgv of the process that starts the forkserver
   */
  readonly execArgv?: readonly string[]
}

/** Warm children kept idle unless configured otherwise: two covers sequential spawns and small bursts without idling much memory. */
export const DEFAULT_POOL_SIZE = 2

/** The largest pool: every idle child is a Node process holding tens of MiB. */
export const MAX_POOL_SIZE = 64

interface Settings {
  poolSize: number
  preload: readonly string[]
  execArgv: readonly string[] | undefined
}

const settings: Settings = { poolSize: DEFAULT_POOL_SIZE, preload: [], execArgv: undefined }

/** A preload module as a specifier another process resolves alike (core's rule), with this function named in the error. */
function normalizePreload(module: string | URL): string {
  try {
    return normalizeModule(module)
  } catch (error) {
    throw new TypeError(`configureForkserver: preload: ${(error as Error).message}`, { cause: error })
  }
}

/**
 * Check `options` and merge them into the current settings.
 *
 * @throws RangeError for a pool size that is not an integer from 0 to {@link MAX_POOL_SIZE}.
 * @throws TypeError for malformed `preload` or `execArgv`.
 */
export function updateSettings(options: ForkserverOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('configureForkserver: expected an options object')
  const { poolSize, preload, execArgv } = options
  if (poolSize !== undefined && (typeof poolSize !== 'number' || !Number.isInteger(poolSize) || poolSize < 0 || poolSize > MAX_POOL_SIZE)) {
    throw new RangeError(`configureForkserver: poolSize must be an integer from 0 to ${MAX_POOL_SIZE}, got ${String(poolSize)}`)
  }
  if (preload !== undefined && !Array.isArray(preload)) throw new TypeError('configureForkserver: preload must be an array of module specifiers or URLs')
  if (execArgv !== undefined && (!Array.isArray(execArgv) || !execArgv.every((flag) => typeof flag === 'string'))) {
    throw new TypeError('configureForkserver: execArgv must be an array of strings')
  }
  const normalized = preload?.map(normalizePreload)
  if (poolSize !== undefined) settings.poolSize = poolSize
  if (normalized !== undefined) settings.preload = Object.freeze(normalized)
  if (execArgv !== undefined) settings.execArgv = Object.freeze([...execArgv])
}

/** The pool configuration the current settings make, with `execArgv` defaulting to this process's flags. */
export function poolConfig(): PoolConfig {
  return { poolSize: settings.poolSize, preload: settings.preload, execArgv: settings.execArgv ?? process.execArgv }
}
