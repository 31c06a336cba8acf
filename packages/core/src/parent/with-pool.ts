/** `withPool`: a pool in a nursery of its own, for the lifetime of one function. */

import { withNursery, type NurseryOptions } from './nursery.js'
import type { ActorPool, PoolOptions } from './pool.js'

/** Options of {@link withPool}: the pool's, its nursery's `signal`, and the pool's name. */
export interface WithPoolOptions extends PoolOptions, Pick<NurseryOptions, 'signal'> {
  /** The pool's name; members are `<name>-<i>`. @default 'pool' */
  readonly name?: string
}

/**
 * Run `body(pool)` with a pool in a fresh nursery, then drain and close the
 * pool and the nursery (as {@link withNursery} does). When `body` throws,
 * or the pool fails past its restart limit, every member is cancelled and
 * reaped before the failure is rethrown.
 *
 * @throws what `body` throws; `ActorPoolError` when the pool failed; what `startPool` throws.
 */
export function withPool<T>(body: (pool: ActorPool) => Promise<T> | T, options: WithPoolOptions = {}): Promise<T> {
  const { signal, name = 'pool', ...poolOptions } = options
  return withNursery(
    async (nursery) => {
      const pool = await nursery.startPool(name, poolOptions)
      const result = await body(pool)
      await pool.close()
      return result
    },
    signal === undefined ? {} : { signal },
  )
}
