/**
 * @harrow/spawn-process: registers spawn method `'process'`, where each actor
 * is a child OS process. Importing this module only registers the backend; it
 * is loaded on first spawn.
 */

import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { registerSpawnMethod, type ProbeResult } from '@harrow/core/backend'

/** The npm package name of this backend. */
export const PACKAGE_NAME = '@harrow/spawn-process'

function probe(): ProbeResult {
  if (typeof process.execPath !== 'string' || !existsSync(process.execPath)) {
    return { supported: false, reason: `the Node.js executable (${String(process.execPath)}) cannot be found to start child processes` }
  }
  return { supported: true }
}

const manifest = createRequire(import.meta.url)('../package.json') as { version: string }

registerSpawnMethod('process', {
  packageName: PACKAGE_NAME,
  version: manifest.version,
  entry: import.meta.url,
  probe,
  load: async () => (await import('./backend.js')).processBackend,
})
