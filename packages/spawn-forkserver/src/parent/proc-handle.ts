/** A `ProcHandle` for an actor the forkserver runs: its exit comes from the forkserver, which is its real parent, and so do its signals. */

import { existsSync } from 'node:fs'
import type { Socket } from 'node:net'
import { deferred, processState, type ExitInfo, type ProcHandle } from '@harrow/core/backend'
import { ForkserverError } from '../shared/errors.js'

/**
 * How long an actor may take to go down with an unreachable forkserver
 * before this handle kills it itself, in ms.
 */
const UNREACHABLE_GRACE = 2000

/** How often a handle whose forkserver is unreachable looks whether its actor is gone, in ms. */
const POLL_INTERVAL = 20

/** Where a handle's signals go. */
export interface SignalRoute {
  /** Ask the forkserver to signal actor `id`; `false` when it cannot be reached any more. */
  signal(id: string, signal: 'SIGTERM' | 'SIGKILL'): boolean
}

/**
 * One actor handed out by the forkserver. The parent cannot `waitpid` a
 * process it did not spawn, so `wait()` resolves from the forkserver's exit
 * report, and `terminate()`/`kill()` ask the forkserver to signal its own
 * child: a pid that was reused after the actor exited is never signalled.
 * When the forkserver becomes unreachable the handle still settles, once the
 * actor's channel has closed and its process is gone.
 */
export class ForkserverProcHandle implements ProcHandle {
  /** Names this actor in the forkserver's reports. */
  readonly id: string
  readonly #route: SignalRoute
  readonly #started = deferred<void>()
  readonly #exited = deferred<ExitInfo>()
  #socket: Socket | undefined
  #pid: number | undefined
  /** When the actor's process started (Linux), so that a reused pid is never mistaken for it. */
  #startTime: string | undefined
  #exit: ExitInfo | undefined
  #isStarted = false

  constructor(id: string, route: SignalRoute) {
    this.id = id
    this.#route = route
    // A spawn abandoned before it started must not leave an unhandled rejection.
    this.#started.promise.catch(() => {})
  }

  get pid(): number | undefined {
    return this.#pid
  }

  get exit(): ExitInfo | undefined {
    return this.#exit
  }

  /** The connection to the actor, once it connected. */
  get socket(): Socket | undefined {
    return this.#socket
  }

  /** Resolves once the actor connected (or no process could run it); rejects when the forkserver cannot be reached. */
  get started(): Promise<void> {
    return this.#started.promise
  }

  wait(): Promise<ExitInfo> {
    return this.#exited.promise
  }

  terminate(): void {
    this.#signal('SIGTERM')
  }

  kill(): void {
    this.#signal('SIGKILL')
  }

  #signal(signal: 'SIGTERM' | 'SIGKILL'): void {
    if (this.#exit) return
    // Without the forkserver, closing the channel is all that is left: the actor leaves as an orphan.
    if (!this.#route.signal(this.id, signal)) this.#socket?.destroy()
  }

  #settle(exit: ExitInfo): void {
    if (this.#exit) return
    this.#exit = exit
    this.#exited.resolve(exit)
    this.#isStarted = true
    this.#started.resolve()
  }

  /** @internal The actor's process `pid` connected and proved its ticket: `socket` is its channel. */
  connected(socket: Socket, pid: number): void {
    this.#socket = socket
    this.#pid = pid
    // Read now, while the pid is surely the actor's: it tells a reused pid apart if the forkserver is lost later.
    this.#startTime ??= processState(pid)?.start
    this.#isStarted = true
    this.#started.resolve()
  }

  /** @internal The forkserver reaped the actor; `reason` says why, when the forkserver ended it itself. */
  exited(code: number | null, signal: NodeJS.Signals | null, reason?: string): void {
    this.#settle({ code, signal, ...(reason === undefined ? {} : { error: new ForkserverError(reason) }) })
  }

  /** @internal No process could be started for the actor (`ENOENT` for a missing `cwd`, `EAGAIN`, ...). */
  failed(error: Error): void {
    this.#settle({ code: null, signal: null, error })
  }

  /** Whether the actor's process is gone: exited (a zombie counts), or its pid now names another process. */
  #processGone(): boolean {
    if (this.#pid === undefined) return true
    const state = processState(this.#pid)
    if (state === undefined) return true
    return state.zombie || (state.start !== undefined && this.#startTime !== undefined && state.start !== this.#startTime)
  }

  /**
   * @internal The forkserver cannot be reached any more. Before the actor
   * connected, the spawn fails with `error`. After, nobody can `waitpid` the
   * actor: it goes down with its forkserver (its liveness link closes), and
   * this handle settles once the actor's channel has closed and its process
   * is seen gone, killing it itself after {@link UNREACHABLE_GRACE}. The
   * exit is reported as SIGKILL, which is how an actor goes down with its
   * forkserver.
   */
  unreachable(error: Error): void {
    if (this.#exit) return
    if (!this.#isStarted) {
      this.#started.reject(error)
      this.#exit = { code: null, signal: null, error }
      this.#exited.resolve(this.#exit)
      return
    }
    const exit: ExitInfo = { code: null, signal: 'SIGKILL', error: new ForkserverError(`${error.message}; the actor went down with it`, { cause: error }) }
    const deadline = performance.now() + UNREACHABLE_GRACE
    const poll = (): void => {
      if (this.#exit) return
      if ((this.#socket?.closed ?? true) && this.#processGone()) return this.#settle(exit)
      if (performance.now() < deadline) return void setTimeout(poll, POLL_INTERVAL)
      this.#socket?.destroy()
      // An orphan by now, and the same process as at hand-out (its start time says so): end it here.
      if (this.#pid !== undefined && (this.#startTime !== undefined || !existsSync('/proc')) && !this.#processGone()) {
        try {
          process.kill(this.#pid, 'SIGKILL')
        } catch {
          // gone meanwhile
        }
      }
      this.#settle(exit)
    }
    poll()
  }
}
