/**
 * @harrow/spawn-ssh: registers spawn method `'ssh'`, where each actor runs on
 * another host, launched with the system OpenSSH client, its frames over the
 * session's stdin/stdout. Importing this module only registers the backend;
 * it is loaded on first spawn.
 */

import { registerSpawnMethod } from '@harrow/core/backend'
import { probeSsh } from './probe.js'
import { SSH_PACKAGE_VERSION } from './versions.js'
import type { SshOptions } from './options.js'

/** The npm package name of this backend. */
export const PACKAGE_NAME = '@harrow/spawn-ssh'

registerSpawnMethod('ssh', {
  packageName: PACKAGE_NAME,
  version: SSH_PACKAGE_VERSION,
  entry: import.meta.url,
  probe: () => probeSsh(),
  load: async () => (await import('./backend.js')).sshBackend,
})

export {
  configureSsh,
  sshDefaults,
  SSH_DEFAULTS_ENV,
  CONNECT_TIMEOUT,
  HEARTBEAT_TIMEOUT,
  type SshOptions,
  type SshBackendOptions,
  type SshDefaults,
} from './options.js'
export { REMOTE_KILL_BOUND } from './ssh-handle.js'

declare module '@harrow/core' {
  // 'ssh' is a spawn method key once this package is imported (core's CustomSpawnMethods carries the doc).
  interface CustomSpawnMethods {
    /** Actors on other hosts, launched over OpenSSH (`@harrow/spawn-ssh`). */
    ssh: true
  }

  interface BackendOptions {
    /**
     * `'ssh'` only: what you would type after `ssh` (`'user@hostB'`, or an
     * alias from the ssh config). Other backends ignore it.
     * @default the host set with `configureSsh`
     */
    readonly host?: string
    /** `'ssh'` only: how to reach the host and run the actor there. Other backends ignore it. */
    readonly ssh?: SshOptions
  }
}
