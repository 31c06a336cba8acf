/** Room for Unix socket paths: the system limits their length, and a deep temp directory can leave too little. */

import { tmpdir } from 'node:os'

/** The longest path a Unix socket can be bound at: `sun_path` less its NUL (108 bytes on Linux, 104 on macOS and the BSDs). */
export const MAX_SOCKET_PATH = process.platform === 'linux' ? 107 : 103

/**
 * The directory to make Unix sockets under, when their paths add at most
 * `tail` bytes to it: the temp directory, unless it is too deep for them (a
 * long `TMPDIR`, as macOS's or a CI's), where a longer path would be cut
 * short or refused by the system; then `/tmp`.
 *
 * @param tail the most a socket's path adds to the directory, its `/` included.
 * @param temp @default os.tmpdir()
 */
export function socketTempDir(tail: number, temp: string = tmpdir()): string {
  return Buffer.byteLength(temp) + tail <= MAX_SOCKET_PATH ? temp : '/tmp'
}
