/**
 * Where a forkserver's Unix socket lives: a directory of its own (mode 0700)
 * inside a per-user directory (mode 0700) under the temp directory, with an
 * owner file naming the process that made it, so a later forkserver can tell
 * a directory left by a killed one from a live one and remove it.
 */

import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { processState, socketTempDir } from '@harrow/core/backend'
import { ForkserverError } from './errors.js'

/** Prefix of the per-user directory under the temp directory that holds every forkserver's own directory. */
const BASE_DIR_PREFIX = 'harrow-forkserver-'

/** The socket's file name inside a forkserver's directory. */
const SOCKET_NAME = 'fs.sock'

/**
 * The socket file a warm child rehearses its hand-out on, in the forkserver's
 * directory. Named after the child, so that the forkserver, which reaps it,
 * removes it however the child died.
 */
export function rehearsalSocketPath(dir: string, pid: number): string {
  return join(dir, `warm-${pid}.sock`)
}

/** Remove a socket file whose owner is gone. Never throws: a file already removed (by its owner, or with its directory) is fine. */
export function removeSocketFile(path: string): void {
  try {
    unlinkSync(path)
  } catch {
    // removed already
  }
}

/** The file naming the forkserver that owns a directory. */
const OWNER_FILE = 'owner.json'

/** A directory without an owner file younger than this may still be starting up, in ms. */
const OWNERLESS_GRACE = 60_000

/** What a socket's path adds to the per-user directory at most: `/<pid>-XXXXXX` (a forkserver's) and `/<pid>-<8 hex>.sock` (a parent's), with 7-digit pids. */
const SOCKET_PATH_TAIL = '/4194304-XXXXXX/4194304-00000000.sock'.length

/**
 * The per-user directory that holds every forkserver's directory: under the
 * temp directory, unless that is too deep for the sockets' paths to fit (a
 * long `TMPDIR`, as macOS's or a CI's), where a longer path would be cut
 * short or refused by the system; then under `/tmp`.
 */
export function baseDir(temp: string = tmpdir()): string {
  const name = `${BASE_DIR_PREFIX}${process.getuid?.() ?? 'user'}`
  return join(socketTempDir(1 + name.length + SOCKET_PATH_TAIL, temp), name)
}

/**
 * Create the per-user directory when missing, and check that it is safe: a
 * real directory (not a symlink), ours, and closed to everyone else.
 *
 * @throws ForkserverError when it belongs to someone else or is open to others.
 */
export function ensureBaseDir(base: string = baseDir()): string {
  mkdirSync(base, { recursive: true, mode: 0o700 })
  const stat = lstatSync(base)
  const uid = process.getuid?.()
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o077) !== 0) {
    throw new ForkserverError(`the forkserver's socket directory ${base} is not a private directory of this user (mode 0700); remove it and try again`)
  }
  return base
}

interface Owner {
  readonly pid: number
  readonly start: string | null
}

function readOwner(dir: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Partial<Owner>
    if (typeof owner.pid !== 'number') return undefined
    return { pid: owner.pid, start: typeof owner.start === 'string' ? owner.start : null }
  } catch {
    return undefined
  }
}

/** Whether the forkserver that made `dir` is gone (killed without cleaning up). */
function isStale(dir: string): boolean {
  const owner = readOwner(dir)
  if (!owner) {
    try {
      return Date.now() - statSync(dir).mtimeMs > OWNERLESS_GRACE
    } catch {
      return false
    }
  }
  if (owner.pid === process.pid) return false
  // A zombie is gone too: a forkserver killed along with its root is reparented to init, which may reap it late.
  const state = processState(owner.pid)
  if (!state || state.zombie) return true
  // A live process with that pid that started at another time reused the pid.
  return owner.start !== null && state.start !== undefined && state.start !== owner.start
}

/**
 * Remove the directories of forkservers that died without removing them
 * (SIGKILL). Returns the directories removed.
 */
export function sweepStaleDirs(base: string = baseDir()): string[] {
  let entries: string[]
  try {
    entries = readdirSync(base)
  } catch {
    return []
  }
  const removed: string[] = []
  for (const entry of entries) {
    const dir = join(base, entry)
    if (!isStale(dir)) continue
    rmSync(dir, { recursive: true, force: true })
    removed.push(dir)
  }
  return removed
}

/** One forkserver's private directory and the path of its socket. */
export interface SocketDir {
  readonly path: string
  readonly socketPath: string
}

/**
 * Make this process's private directory (mode 0700) and its owner file.
 *
 * @throws ForkserverError when the per-user directory is unsafe.
 */
export function createSocketDir(base: string = baseDir()): SocketDir {
  for (let attempt = 0; ; attempt++) {
    ensureBaseDir(base)
    let path: string
    try {
      path = mkdtempSync(join(base, `${process.pid}-`))
    } catch (error) {
      // Another forkserver removed the (then empty) per-user directory meanwhile: make it again.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && attempt < 3) continue
      throw error
    }
    writeFileSync(join(path, OWNER_FILE), JSON.stringify({ pid: process.pid, start: processState(process.pid)?.start ?? null }), { mode: 0o600 })
    return { path, socketPath: join(path, SOCKET_NAME) }
  }
}

/** Remove a forkserver's directory, and the per-user directory once it is empty. Never throws. */
export function removeSocketDir(path: string, base: string = baseDir()): void {
  try {
    // Retried: a process of the tree may still be binding its socket in it while it is emptied (ENOTEMPTY).
    rmSync(path, { recursive: true, force: true, maxRetries: 3, retryDelay: 5 })
  } catch {
    // best effort: a later forkserver sweeps what is left
  }
  try {
    rmdirSync(base)
  } catch {
    // not empty (another forkserver runs) or already gone
  }
}
