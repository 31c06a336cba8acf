/** The ssh backend's options: per actor (`ActorOptions.backend`), process-wide defaults (`configureSsh`), and how they merge. */

/** How to reach a host and run an actor there. Every field is optional; per-actor values override {@link configureSsh} defaults. */
export interface SshOptions {
  /** `ssh -p`: the port. @default the ssh config's, else 22 */
  readonly port?: number
  /** `ssh -l`: the remote user. @default the ssh config's, else the local user */
  readonly user?: string
  /** `ssh -i`: a private key file. */
  readonly identityFile?: string
  /** `ssh -F`: a client config file used instead of `~/.ssh/config`. */
  readonly configFile?: string
  /** More `-o key=value` options, passed before harrow's own defaults (so they win where both set one). */
  readonly options?: readonly string[]
  /** The remote Node.js executable. @default 'node' */
  readonly node?: string
  /** The remote working directory. @default the remote user's home */
  readonly cwd?: string
  /**
   * Local root → remote root, for `file:` URLs of modules (enabled modules,
   * functions called, backends' entries, harrow's own child entry): a module
   * under a local root is imported from the same place under the remote root.
   */
  readonly pathMap?: Readonly<Record<string, string>>
  /**
   * OpenSSH connection sharing (`ControlMaster=auto`, a `ControlPath` in a
   * private 0700 directory, `ControlPersist`): spawns to one host after the
   * first reuse its connection instead of a new handshake. @default false
   */
  readonly shareConnection?: boolean
  /** How long connecting may take (`ConnectTimeout`, rounded up to seconds), in ms. @default 10000 */
  readonly connectTimeout?: number
  /**
   * A command in place of ssh: given the child's argv (the remote node, harrow's
   * child entry, its argument), returns the command that runs it with its
   * stdin and stdout as the channel (`['docker', 'exec', '-i', 'box', ...argv]`).
   * The host options are then unused; terminate and kill run
   * `launcher(['kill', '-TERM' | '-KILL', pid])`.
   */
  readonly launcher?: (argv: string[]) => string[]
  /**
   * How long the remote actor waits without hearing from its parent before it
   * treats the channel as lost (a network partition, where no EOF arrives), in
   * ms. The parent sends a heartbeat every quarter of it. @default 10000
   */
  readonly heartbeatTimeout?: number
}

/** `ActorOptions.backend` for `spawnMethod: 'ssh'`. */
export interface SshBackendOptions {
  /** What you would type after `ssh`: `'user@hostB'`, `'hostB'`, or an alias from the ssh config. Required here or in {@link configureSsh}. */
  readonly host?: string
  /** How to reach it. */
  readonly ssh?: SshOptions
}

/** The defaults {@link configureSsh} takes: a host and any {@link SshOptions}. */
export type SshDefaults = {
  /** The host every `'ssh'` actor goes to unless its own `backend.host` says otherwise. */
  readonly host?: string
} & SshOptions

/** {@link SshOptions} with the host resolved. */
export type ResolvedSshOptions = SshOptions & { readonly host: string }

/** @default 10000 ms */
export const CONNECT_TIMEOUT = 10_000

/** @default 10000 ms */
export const HEARTBEAT_TIMEOUT = 10_000

// On a Symbol.for global: two copies of this package in one process share one set of defaults.
const DEFAULTS = Symbol.for('harrow.ssh.defaults.v1')

function holder(): { [DEFAULTS]?: SshDefaults } {
  return globalThis as { [DEFAULTS]?: SshDefaults }
}

/**
 * Set process-wide defaults for `'ssh'` actors; per-actor `backend` options
 * override them field by field. Replaces earlier defaults; `configureSsh({})`
 * clears them.
 *
 * @throws TypeError when `defaults` is not an object.
 */
export function configureSsh(defaults: SshDefaults): void {
  if (defaults === null || typeof defaults !== 'object') throw new TypeError('configureSsh: expected an object of ssh defaults')
  holder()[DEFAULTS] = { ...defaults }
}

/**
 * The environment variable holding defaults as JSON (`{"host": "hostB", "configFile": ...}`, no launcher), read
 * when {@link configureSsh} was not called: a test run points every `'ssh'` actor, in every process of it, at one host.
 */
export const SSH_DEFAULTS_ENV = 'HARROW_SSH_DEFAULTS'

let parsedEnv: { readonly text: string; readonly value: SshDefaults } | undefined

function defaultsFromEnv(): SshDefaults {
  const text = process.env[SSH_DEFAULTS_ENV]
  if (text === undefined || text === '') return {}
  if (parsedEnv?.text !== text) {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      throw new TypeError(`${SSH_DEFAULTS_ENV} is not JSON: ${(error as Error).message}`)
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${SSH_DEFAULTS_ENV} must be a JSON object of ssh defaults`)
    parsedEnv = { text, value }
  }
  return parsedEnv.value
}

/**
 * The defaults set with {@link configureSsh}, else those in `HARROW_SSH_DEFAULTS`.
 *
 * @throws TypeError when `HARROW_SSH_DEFAULTS` is not a JSON object.
 */
export function sshDefaults(): SshDefaults {
  return holder()[DEFAULTS] ?? defaultsFromEnv()
}

/**
 * Merge per-actor options over the defaults.
 *
 * @throws TypeError when no host is given here or in the defaults, or an option has the wrong type.
 */
export function resolveSshOptions(actor: SshBackendOptions | undefined): ResolvedSshOptions {
  const defaults = sshDefaults()
  const merged: SshDefaults = { ...defaults, ...actor?.ssh, ...(actor?.host === undefined ? {} : { host: actor.host }) }
  const { host } = merged
  if (typeof host !== 'string' || host.length === 0) {
    if (merged.launcher !== undefined) return { ...merged, host: 'launcher' }
    throw new TypeError("spawnMethod 'ssh' needs a host: pass backend: { host: 'user@hostB' } or call configureSsh({ host })")
  }
  if (host.startsWith('-')) throw new TypeError(`ssh host '${host}' must not start with '-'`)
  if (merged.port !== undefined && !(Number.isInteger(merged.port) && merged.port > 0 && merged.port < 65536)) {
    throw new TypeError(`ssh port must be an integer from 1 to 65535, got ${String(merged.port)}`)
  }
  if (merged.launcher !== undefined && typeof merged.launcher !== 'function') throw new TypeError('ssh launcher must be a function (argv) => string[]')
  return { ...merged, host }
}
