/**
 * What the parent tells harrow's child entry on the remote host: versions,
 * environment, paths. It is the first thing on the session's stdin, never on
 * the command line, where any user of the remote host could read the
 * environment it carries in `ps`.
 */

import { readSync } from 'node:fs'

/** Exit code of the remote entry when its harrow is not the parent's (versions differ). */
export const EXIT_VERSION_MISMATCH = 78

/** Exit code of the remote entry when its spawn config cannot be read. */
export const EXIT_BAD_CONFIG = 64

/** The prefix of the line the remote entry writes on stderr to tell the parent its pid (the line is not shown). */
export const PID_LINE = '\u0000harrow-ssh pid '

/**
 * The line the remote entry writes on stderr once its watchdog thread acts on
 * signal frames (the line is not shown); until then the parent signals the
 * actor's pid through a second ssh command.
 */
export const WATCH_LINE = '\u0000harrow-ssh watching'

/**
 * The prefix of the line the remote entry's watchdog thread writes on stderr
 * once it listens for its own link (the line is not shown): the socket's
 * path on the remote host follows. See watchdog-link.ts.
 */
export const LINK_LINE = '\u0000harrow-ssh watchdog at '

/** The byte the watchdog greets its link with: the parent's proof that ssh reached it (ssh accepts locally either way). */
export const LINK_HELLO = 0x68

/** Marks a chunk of the actor's stdout carried on stderr (base64 after it, to the end of the line). */
export const STDOUT_MARK = '\u0001harrow-ssh stdout '

/** The prefix of a line the remote entry writes before it exits because it cannot run (the line is the reason). */
export const FATAL_LINE = 'harrow-ssh: '

/** The remote entry's configuration. */
export interface RemoteConfig {
  /** The actor's name (also the entry's one argument, so that `ps` on the remote host shows which actor a process is). */
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
  /**
   * Whether the parent links to the watchdog over a socket forwarded by ssh,
   * so that the actor's main thread reads its channel itself. Otherwise (a
   * launcher, a host that refused the forward) the watchdog reads the channel.
   */
  readonly watchdogLink?: boolean
}

/** The largest spawn config accepted: far above any real one, far below what could hurt. */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024

/** Encode for the session's stdin: a 4-byte big-endian length, then the config as JSON. */
export function encodeConfig(config: RemoteConfig): Buffer {
  const json = Buffer.from(JSON.stringify(config))
  const frame = Buffer.allocUnsafe(4 + json.length)
  frame.writeUInt32BE(json.length, 0)
  json.copy(frame, 4)
  return frame
}

/**
 * Decode a config's JSON bytes.
 *
 * @throws TypeError when they are not a config.
 */
export function decodeConfig(json: Uint8Array): RemoteConfig {
  const value = JSON.parse(Buffer.from(json).toString('utf8')) as Partial<RemoteConfig> | null
  if (value === null || typeof value !== 'object' || typeof value.name !== 'string' || typeof value.versions !== 'object' || typeof value.env !== 'object') {
    throw new TypeError('what arrived is not a harrow ssh spawn config')
  }
  return value as RemoteConfig
}

/** Fill `buffer` from `fd`, blocking: the process has nothing else to do before its config arrives. */
function readExactly(fd: number, buffer: Buffer): void {
  let at = 0
  const pause = new Int32Array(new SharedArrayBuffer(4))
  while (at < buffer.length) {
    let n: number
    try {
      n = readSync(fd, buffer, at, buffer.length - at, null)
    } catch (error) {
      // A non-blocking stdin (some launchers): wait a little for the parent's bytes.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error
      Atomics.wait(pause, 0, 0, 2)
      continue
    }
    if (n === 0) throw new TypeError(`the channel ended after ${at} of ${buffer.length} bytes of the spawn config`)
    at += n
  }
}

/**
 * Read the spawn config from `fd` (the session's stdin), exactly: the
 * harrow frames that follow it are left for the channel.
 *
 * @throws TypeError when the channel ends first or what arrives is not a config.
 */
export function readConfig(fd: number): RemoteConfig {
  const head = Buffer.alloc(4)
  readExactly(fd, head)
  const length = head.readUInt32BE(0)
  if (length > MAX_CONFIG_BYTES) throw new TypeError(`a spawn config of ${length} bytes is not a harrow ssh spawn config`)
  const json = Buffer.alloc(length)
  readExactly(fd, json)
  return decodeConfig(json)
}
