/** The `'forkserver'` backend: actors are warm children that the tree's forkserver hands out. */

import type { SpawnBackend, SpawnedChild, SpawnRequest } from '@harrow/core/backend'
import { infrastructurePaths, infrastructurePids, stopForkserver, useForkserver } from './forkserver.js'

/**
 * Asks the tree's forkserver (started on first use) for a child per actor.
 * The child connects straight to this process's own socket (in the
 * forkserver's private directory) and proves a one-time ticket; actor traffic
 * never goes through the forkserver.
 */
export const forkserverBackend: SpawnBackend = {
  key: 'forkserver',
  async spawn(request: SpawnRequest): Promise<SpawnedChild> {
    const link = await useForkserver()
    return link.spawn(request)
  },
  infrastructurePids,
  infrastructurePaths,
  shutdown: stopForkserver,
}
