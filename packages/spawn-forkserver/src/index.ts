/**
 * @harrow/spawn-forkserver: registers spawn method `'forkserver'`, where
 * actors are warm, pre-booted children handed out by a small forkserver
 * process. Importing this module only registers the backend; the forkserver
 * starts on the first spawn.
 */

import { createRequire } from 'node:module'
import { registerSpawnMethod, type ProbeResult } from '@harrow/core/backend'

/** The npm package name of this backend. */
export const PACKAGE_NAME = '@harrow/spawn-forkserver'

/**
 * The forkserver needs Unix domain sockets with file permissions and POSIX
 * signals: Windows has neither in the form it relies on.
 */
function probe(): ProbeResult {
  if (process.platform === 'win32') {
    return {
      supported: false,
      reason:
        "Windows has no Unix domain sockets with file permissions or POSIX signals, which the forkserver's private socket and its reaping rely on; use spawn method 'process' there",
    }
  }
  return { supported: true }
}

const manifest = createRequire(import.meta.url)('../package.json') as { version: string }

registerSpawnMethod('forkserver', {
  packageName: PACKAGE_NAME,
  version: manifest.version,
  entry: import.meta.url,
  probe,
  load: async () => (await import('./parent/backend.js')).forkserverBackend,
})

export { configureForkserver, forkserverInfo, startForkserver, stopForkserver, START_TIMEOUT, STOP_TIMEOUT, type ForkserverInfo } from './parent/forkserver.js'
export { DEFAULT_POOL_SIZE, MAX_POOL_SIZE, type ForkserverOptions } from './parent/config.js'
export { ForkserverError } from './shared/errors.js'
