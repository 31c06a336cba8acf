/** What the parent tells harrow's child entry on the remote host, in its one argument: versions, environment, paths. */

/** Exit code of the remote entry when its harrow is not the parent's (versions differ). */
export const EXIT_VERSION_MISMATCH = 78

/** Exit code of the remote entry when its argument cannot be read. */
export const EXIT_BAD_CONFIG = 64

/** The prefix of the line the remote entry writes on stderr to tell the parent its pid (the line is not shown). */
export const PID_LINE = '\u0000harrow-ssh pid '

/** Marks a chunk of the actor's stdout carried on stderr (base64 after it, to the end of the line). */
export const STDOUT_MARK = '\u0001harrow-ssh stdout '

/** The prefix of a line the remote entry writes before it exits because it cannot run (the line is the reason). */
export const FATAL_LINE = 'harrow-ssh: '

/** The remote entry's configuration. */
export interface RemoteConfig {
  /** The actor's name (so `ps` on the remote host shows which actor a process is). */
  readonly name: string
  /** The largest frame accepted. */
  readonly maxFrameSize: number
  /** The parent's package versions; the remote entry refuses to run with others. */
  readonly versions: { readonly core: string; readonly ssh: string; readonly protocol: number }
  /** Variables to set (a string) or unset (`null`) before the runtime starts. */
  readonly env: Readonly<Record<string, string | null>>
  /** The working directory. */
  readonly cwd?: string
  /** `file:` URL prefixes, local → remote. */
  readonly pathMap?: readonly (readonly [string, string])[]
  /** The fd that carries frames: 3 when the remote shell moved the session's stdout there (and fd 1 to stderr), else 1. */
  readonly channelFd?: number
  /** Silence from the parent after which the channel is lost, in ms. */
  readonly heartbeatTimeout: number
}

/** Encode for the command line: base64url JSON (no quoting trouble in any shell). */
export function encodeConfig(config: RemoteConfig): string {
  return Buffer.from(JSON.stringify(config)).toString('base64url')
}

/**
 * Decode the argument of the remote entry.
 *
 * @throws TypeError when it is not a config.
 */
export function decodeConfig(text: string | undefined): RemoteConfig {
  const value = JSON.parse(Buffer.from(text ?? '', 'base64url').toString('utf8')) as Partial<RemoteConfig> | null
  if (value === null || typeof value !== 'object' || typeof value.name !== 'string' || typeof value.versions !== 'object' || typeof value.env !== 'object') {
    throw new TypeError('the argument is not a harrow ssh spawn config')
  }
  return value as RemoteConfig
}
