/** The ssh backend's cheap probe: is there an `ssh` client on PATH? */

import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { ProbeResult } from '@harrow/core/backend'

/** The first executable `ssh` on `path`, or `undefined`. */
export function findOnPath(name: string, path: string | undefined = process.env.PATH): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir.length === 0) continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

/** Supported when an OpenSSH client is on PATH (a launcher needs none, but is chosen per actor, after probing). */
export function probeSsh(path: string | undefined = process.env.PATH): ProbeResult {
  if (findOnPath('ssh', path) !== undefined) return { supported: true }
  return { supported: false, reason: "no ssh client on PATH: install OpenSSH (apt-get install openssh-client, or your system's package)" }
}
