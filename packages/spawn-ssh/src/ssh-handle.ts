/**
 * A `ProcHandle` for one remote actor: the local ssh client (or launcher)
 * process, its stderr relayed with harrow's own lines taken out, and
 * terminate/kill sent to the remote process on its host.
 */

import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { createLogger, type ExitInfo, type ProcHandle } from '@harrow/core/backend'
import type { ChannelSignal } from './control-frames.js'
import { EXIT_VERSION_MISMATCH, FATAL_LINE, LINK_LINE, PID_LINE, STDOUT_MARK, WATCH_LINE } from './spawn-config.js'
import type { WatchdogLink } from './watchdog-link.js'

const log = createLogger('ssh')

/** How long a remote `kill` may take before the local client is killed anyway (the remote actor then goes by EOF or heartbeat), in ms. */
export const REMOTE_KILL_BOUND = 3000

/** Lines of stderr kept to explain a failure. */
const TAIL_LINES = 20

/** How a remote kill is sent: the command that runs `argv` on the actor's host. */
export type RemoteRunner = (argv: string[]) => string[]

/** What the handle needs to explain a failure in the user's terms. */
export interface SshHandleInit {
  /** The host, for messages. */
  readonly host: string
  /** The remote node executable, for messages. */
  readonly node: string
  /** The remote path of harrow's child entry, for messages. */
  readonly entry: string
  /** Builds the command that runs an argv on the actor's host (for `kill`, when the channel is closed). */
  readonly runner: RemoteRunner
  /** Sends a signal frame over the actor's channel; `false` once the channel is closed. */
  readonly channelSignal: (signal: ChannelSignal) => boolean
  /**
   * Links to the actor's watchdog listening at a path on its host (see
   * watchdog-link.ts); absent: no link is made. When it fails, the watchdog
   * reads the actor's channel, as it did before.
   */
  readonly link?: (remotePath: string) => Promise<WatchdogLink>
  /** Whether the command is ssh (exit code 255 is then ssh's own failure). */
  readonly isSsh: boolean
}

/**
 * The reason for an ssh session that ended with `code`, from the last lines
 * of its stderr: ssh's own one-line reason (exit 255), a missing node or
 * harrow on the host, or the remote entry's own reason.
 */
export function explainExit(code: number | null, tail: readonly string[], init: Pick<SshHandleInit, 'host' | 'node' | 'entry' | 'isSsh'>): string | undefined {
  const lines = tail.map((line) => line.trim()).filter((line) => line.length > 0)
  const last = lines.at(-1)
  const fatal = lines.findLast((line) => line.startsWith(FATAL_LINE))
  if (fatal !== undefined) return `on ${init.host}: ${fatal.slice(FATAL_LINE.length)}`
  if (code === 255 && init.isSsh) return last === undefined ? `ssh to ${init.host} failed` : last.startsWith('ssh: ') ? last : `ssh: ${last}`
  if (code === 127) return `the remote node executable '${init.node}' was not found on ${init.host}${last === undefined ? '' : ` (${last})`}`
  const missing = lines.find((line) => /Cannot find (module|package)/.test(line))
  if (missing !== undefined) {
    if (missing.includes(init.entry))
      return `harrow (@harrow/spawn-ssh) is not installed on ${init.host}: ${init.entry} is missing (install it there, or map its root with pathMap)`
    return `on ${init.host}: ${missing}`
  }
  if (code === EXIT_VERSION_MISMATCH && last !== undefined) return `on ${init.host}: ${last}`
  return undefined
}

/**
 * Wraps the local ssh client. Its exit is the remote actor's (ssh exits with
 * the remote command's status); `terminate()` and `kill()` send SIGTERM and
 * SIGKILL as a signal frame to the actor's watchdog thread (which signals
 * the process, wedged or not), on its own link or on the actor's channel;
 * before either is up, and once both are closed, to the remote pid through a
 * second ssh command. `kill()` then ends the local client if the remote kill
 * has not ended it within {@link REMOTE_KILL_BOUND}.
 */
export class SshClientHandle implements ProcHandle {
  readonly #child: ChildProcess
  readonly #init: SshHandleInit
  readonly #exited: Promise<ExitInfo>
  readonly #tail: string[] = []
  readonly #killers = new Set<ChildProcess>()
  #exit: ExitInfo | undefined
  #remotePid: number | undefined
  #watching = false
  #link: WatchdogLink | undefined
  #requested: NodeJS.Signals | undefined

  constructor(child: ChildProcess, init: SshHandleInit) {
    this.#child = child
    this.#init = init
    const stderrDone = new Promise<void>((resolve) => {
      if (!child.stderr) return resolve()
      const lines = createInterface({ input: child.stderr, crlfDelay: Infinity })
      lines.on('line', (line) => this.#line(line))
      lines.once('close', () => resolve())
    })
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        // The last stderr lines explain the exit: let them arrive first (bounded, as a grandchild may hold stderr open).
        const bound = new Promise<void>((done) => setTimeout(done, 200).unref())
        void Promise.race([stderrDone, bound]).then(() => {
          this.#link?.close()
          this.#exit = this.#describe(code, signal)
          for (const killer of this.#killers) killer.kill('SIGKILL')
          resolve(this.#exit)
        })
      })
      child.on('error', (error) => {
        if (child.pid === undefined && !this.#exit) {
          const reason =
            (error as NodeJS.ErrnoException).code === 'ENOENT' ? new Error(`${String(child.spawnfile)} was not found on PATH`, { cause: error }) : error
          this.#exit = { code: null, signal: null, error: reason }
          resolve(this.#exit)
        }
      })
    })
  }

  /** The local ssh client's pid. */
  get pid(): number | undefined {
    return this.#child.pid
  }

  /** The actor's pid on its host, once it has said it. */
  get remotePid(): number | undefined {
    return this.#remotePid
  }

  get exit(): ExitInfo | undefined {
    return this.#exit
  }

  wait(): Promise<ExitInfo> {
    return this.#exited
  }

  terminate(): void {
    if (this.#exit) return
    this.#requested ??= 'SIGTERM'
    this.#remoteSignal('SIGTERM', () => this.#child.kill('SIGTERM'))
  }

  kill(): void {
    if (this.#exit) return
    this.#requested = 'SIGKILL'
    this.#remoteSignal('SIGKILL', () => this.#child.kill('SIGKILL'))
    // The remote kill ends the session; if it cannot (a partition), the local end goes and the remote one follows by heartbeat.
    setTimeout(() => this.#child.kill('SIGKILL'), REMOTE_KILL_BOUND).unref()
  }

  #line(line: string): void {
    // harrow's own lines may follow the actor's stderr output that did not end its line: that is shown as it was.
    if (line.endsWith(WATCH_LINE)) {
      this.#watching = true
      if (line.length > WATCH_LINE.length) process.stderr.write(line.slice(0, -WATCH_LINE.length))
      return
    }
    const link = line.indexOf(LINK_LINE)
    if (link !== -1) {
      if (link > 0) process.stderr.write(line.slice(0, link))
      this.#linkTo(line.slice(link + LINK_LINE.length))
      return
    }
    if (line.startsWith(PID_LINE)) {
      const pid = Number(line.slice(PID_LINE.length))
      if (Number.isInteger(pid) && pid > 0) this.#remotePid = pid
      return
    }
    const mark = line.indexOf(STDOUT_MARK)
    if (mark !== -1) {
      // The actor's stdout, carried on stderr; what precedes the mark is stderr output that did not end its line.
      if (mark > 0) process.stderr.write(line.slice(0, mark))
      process.stdout.write(Buffer.from(line.slice(mark + STDOUT_MARK.length), 'base64'))
      return
    }
    this.#tail.push(line)
    if (this.#tail.length > TAIL_LINES) this.#tail.shift()
    process.stderr.write(`${line}\n`)
  }

  #linkTo(remotePath: string): void {
    const { link } = this.#init
    if (link === undefined || this.#exit) return
    link(remotePath).then(
      (made) => {
        if (this.#exit) made.close()
        else this.#link = made
      },
      (error: Error) => log.debug(`no link to the watchdog of the actor on ${this.#init.host}: ${error.message}`),
    )
  }

  #remoteSignal(signal: ChannelSignal, fallback: () => void): void {
    // To the actor's watchdog, by its link or on the channel once it reads it: before, a wedged actor would never see
    // the frame.
    if (this.#link?.signal(signal) === true) return
    if (this.#watching && this.#init.channelSignal(signal)) return
    const pid = this.#remotePid
    // Before the actor said its pid there is nothing remote to signal yet: end the session, and the actor with it by EOF.
    if (pid === undefined) return fallback()
    const [command, ...args] = this.#init.runner(['kill', `-${signal.slice(3)}`, String(pid)])
    if (command === undefined) return fallback()
    const killer = spawn(command, args, { stdio: 'ignore', windowsHide: true })
    this.#killers.add(killer)
    const bound = setTimeout(() => killer.kill('SIGKILL'), REMOTE_KILL_BOUND)
    bound.unref()
    killer.once('error', () => fallback())
    killer.once('exit', (code) => {
      clearTimeout(bound)
      this.#killers.delete(killer)
      if (code !== 0) fallback()
    })
  }

  #describe(code: number | null, signal: NodeJS.Signals | null): ExitInfo {
    // ssh reports a remote death by signal as 255 (or 128 + n through a shell): report the signal that was asked for.
    if (this.#requested !== undefined && signal === null && (code === 255 || code === 137 || code === 143)) return { code: null, signal: this.#requested }
    const reason = explainExit(code, this.#tail, this.#init)
    return reason === undefined || code === 0 ? { code, signal } : { code, signal, error: new Error(reason) }
  }
}
