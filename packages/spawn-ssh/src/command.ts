/** The ssh command line: harrow's fixed safety options, the user's options, connection sharing, and the quoted remote command. */

import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createLogger, isRunning, socketTempDir } from '@harrow/core/backend'
import { join } from 'node:path'
import { CONNECT_TIMEOUT, type ResolvedSshOptions } from './options.js'

const log = createLogger('ssh')

/** How long a shared connection stays up after its last session, in s: short, so nothing lingers long after the program. */
export const CONTROL_PERSIST = 10

/** ssh's keepalive on the connection (`ServerAliveInterval`, s) and misses before it gives up: a dead link ends the client within ~6 s. */
export const SERVER_ALIVE_INTERVAL = 2
const SERVER_ALIVE_COUNT = 3

/** An actor's own control socket: its session is the master, a kill command a client of it. */
export interface ActorControl {
  /** The socket's file name in the private directory. */
  readonly name: string
  /** Whether this command is the master (the actor's session) or uses it (a kill). */
  readonly master: boolean
}

/** Quote one word for a POSIX shell (the remote login shell joins ssh's arguments into one command line). */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word
  return `'${word.replaceAll("'", `'\\''`)}'`
}

let controlDir: string | undefined

/** The prefix of a process's control directory: its pid follows, then mkdtemp's suffix. */
const CONTROL_DIR_PREFIX = 'hssh-'

/**
 * What a control socket's path adds to the directory its control directory is in, at most: the control directory
 * (7-digit pid), a shared connection's `%C` (40 hex digits), and the 17 bytes ssh adds while it sets a master up.
 */
export const CONTROL_PATH_TAIL = `/${CONTROL_DIR_PREFIX}4194304-XXXXXX/`.length + 40 + 17

/** Remove the control directories of processes that are gone (killed before their exit handler ran), if they are this user's. */
function sweepControlDirectories(parent: string): void {
  const uid = process.getuid?.()
  for (const name of readdirSync(parent)) {
    const pid = Number(new RegExp(`^${CONTROL_DIR_PREFIX}(\\d+)-`).exec(name)?.[1])
    if (!Number.isInteger(pid) || pid === process.pid || isRunning(pid)) continue
    const dir = join(parent, name)
    try {
      if (lstatSync(dir).uid === uid) rmSync(dir, { recursive: true, force: true })
    } catch {
      // Gone meanwhile, or not ours to remove.
    }
  }
}

/**
 * A private (0700) directory for this process's control sockets, removed
 * when the process exits, or by the next process that makes one, if this
 * one was killed.
 */
function controlDirectory(): string {
  if (controlDir === undefined) {
    const parent = socketTempDir(CONTROL_PATH_TAIL)
    // mkdtemp creates it 0700.
    const dir = mkdtempSync(join(parent, `${CONTROL_DIR_PREFIX}${process.pid}-`))
    controlDir = dir
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
    try {
      sweepControlDirectories(parent)
    } catch (error) {
      log.debug(`could not sweep old control directories: ${(error as Error).message}`)
    }
  }
  return controlDir
}

/** A path named `name` in this process's private (0700) directory, for a socket of its own. */
export function privatePath(name: string): string {
  return join(controlDirectory(), name)
}

/** The control socket directory, when connection sharing has been used. */
export function usedControlDirectory(): string | undefined {
  return controlDir
}

/**
 * `ssh` and its arguments up to and including the host: BatchMode (never a
 * prompt) first so nothing can turn it off, then the user's `-o` options, then
 * harrow's defaults (the first value ssh reads for an option wins). Host key
 * checking is left as the user's ssh config sets it.
 */
export function sshPrefix(options: ResolvedSshOptions, control?: ActorControl): string[] {
  const args = ['-T', '-e', 'none', '-o', 'BatchMode=yes']
  if (options.configFile !== undefined) args.push('-F', options.configFile)
  if (options.port !== undefined) args.push('-p', String(options.port))
  if (options.user !== undefined) args.push('-l', options.user)
  if (options.identityFile !== undefined) args.push('-i', options.identityFile)
  for (const option of options.options ?? []) args.push('-o', option)
  const timeout = Math.max(1, Math.ceil((options.connectTimeout ?? CONNECT_TIMEOUT) / 1000))
  args.push('-o', `ConnectTimeout=${timeout}`)
  args.push('-o', `ServerAliveInterval=${SERVER_ALIVE_INTERVAL}`, '-o', `ServerAliveCountMax=${SERVER_ALIVE_COUNT}`)
  if (options.shareConnection === true) {
    args.push('-o', 'ControlMaster=auto', '-o', `ControlPath=${join(controlDirectory(), '%C')}`, '-o', `ControlPersist=${CONTROL_PERSIST}`)
  } else if (control !== undefined) {
    // The actor's own connection is a master too, with no persistence: a kill reaches the host over it without a new handshake.
    args.push('-o', `ControlMaster=${control.master ? 'yes' : 'no'}`, '-o', `ControlPath=${privatePath(control.name)}`)
  }
  return ['ssh', ...args, options.host]
}

/** The full command that runs `argv` on the remote host: ssh, or the user's launcher. */
export function remoteCommand(options: ResolvedSshOptions, argv: string[], control?: ActorControl, cwd?: string): string[] {
  if (options.launcher) {
    const command = options.launcher([...argv])
    if (!Array.isArray(command) || command.length === 0 || !command.every((word) => typeof word === 'string')) {
      throw new TypeError('ssh launcher must return a non-empty string[] (the command to run)')
    }
    return command
  }
  // `exec` so the remote shell is replaced by node (signals to the pid it reports reach node itself); frames move to fd 3
  // and fd 1 becomes stderr, so nothing the actor or its own children print can land among the frames.
  // The working directory is entered by the shell, before node starts: node resolves `--import` flags from it.
  const enter = cwd === undefined ? '' : `cd ${shellQuote(cwd)} && `
  return [...sshPrefix(options, control), '--', `${enter}${['exec', ...argv].map(shellQuote).join(' ')} 3>&1 1>&2`]
}
