/**
 * The forkserver's children: the warm pool it keeps booted, the children it
 * hands out (and boots on demand or for actors with other flags), their
 * signals, and their exits, which it reaps and reports to their owners.
 */

import { spawn, type ChildProcess } from 'node:child_process'
import { statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { runtimeCommand, signalChild, type Logger } from '@harrow/core/backend'
import { definedEnv, startupEnvDifferences, startupEnvMatches } from '@harrow/core/env'
import { applyEnvDelta, sameFlags } from '../shared/env.js'
import { rehearsalSocketPath, removeSocketFile } from '../shared/socket-dir.js'
import {
  isEnvDelta,
  type ActorRequest,
  type AssignMessage,
  type ChildReport,
  type PoolConfig,
  type ServerMessage,
  type SpawnMessage,
  type WarmUpMessage,
} from '../shared/wire.js'

/** The script every child of the forkserver runs until it is handed out. */
const WARM_CHILD_ENTRY = fileURLToPath(new URL('./warm-child.js', import.meta.url))

/** Consecutive warm children that may fail to boot before the pool pauses its refills. */
const MAX_BOOT_FAILURES = 3

/** How long the pool pauses after a streak of boot failures before it tries again, in ms. */
const BOOT_RETRY_AFTER = 10_000

/**
 * How long a child may take to run its first line (its hello) before it is
 * taken for stuck in its runtime's start-up and killed, in ms: Node 22 and 24
 * hang there, rather than abort, when they cannot create a thread.
 */
const HELLO_TIMEOUT = 10_000

/** Why a child that never said hello was killed: what its owner's spawn fails with. */
const STUCK_AT_START = `its runtime did not start within ${HELLO_TIMEOUT / 1000} s and was killed (Node hangs at start when it cannot create its threads: check \`ulimit -u\` and free memory)`

/** How long after a hand-out the pool starts booting its replacement, in ms. */
const REFILL_DELAY = 30

/** How long the actors of an owner that went away get to leave by themselves before they are killed, in ms. */
const ORPHAN_KILL_AFTER = 1500

/** How long handed-out actors get between SIGTERM and SIGKILL when the forkserver stops, in ms. */
const STOP_KILL_AFTER = 1000

/** How long stopping waits for killed children to be reaped, in ms. */
const REAP_BOUND = 2000

/** A control channel that owns actors: exit reports go to it, and only it may signal them. */
export interface Owner {
  readonly token: string
  send(message: ServerMessage): void
}

type State = 'booting' | 'ready' | 'claimed' | 'exited'

interface Child {
  readonly process: ChildProcess
  readonly pid: number
  /** Booted with the pool's configuration (so it may idle in the pool); otherwise booted for one actor. */
  readonly pooled: boolean
  readonly generation: number
  state: State
  /** It said hello: it listens for its assignment. */
  listening: boolean
  /** Kills it if it never says hello; cleared once it does. */
  helloTimer?: NodeJS.Timeout | undefined
  /** It was killed for never saying hello. */
  stuck?: boolean
  /** Became ready at least once (so its death is not a boot failure). */
  booted: boolean
  owner?: Owner
  id?: string
  /** An assignment waiting for the child's hello. */
  pending?: AssignMessage | undefined
  /** The socket file it was told to rehearse its hand-out on: it cannot remove it itself if it is killed meanwhile. */
  rehearsal?: string
}

/** What a {@link Pool} is made with. */
export interface PoolOptions {
  /** Its size, the modules its children preload, their Node flags; {@link Pool.configure} changes it later. */
  readonly config: PoolConfig
  /** The environment pooled children boot with (the forkserver's own): an actor's startup variables must match it to get one. */
  readonly env: Readonly<Record<string, string | undefined>>
  /** The working directory pooled children boot in. */
  readonly cwd: string
  /** The forkserver's private directory, where warm children rehearse their hand-out. */
  readonly dir: string
  readonly log: Logger
  /** Called when the set of idle children changed. */
  readonly changed: () => void
}

/**
 * Every child of the forkserver. Idle pooled children are booted with the
 * pool's flags and environment and handed out to actors whose flags and
 * startup variables match; anything else gets a child booted for it.
 */
export class Pool {
  readonly #env: Readonly<Record<string, string | undefined>>
  readonly #cwd: string
  readonly #log: Logger
  readonly #changed: () => void
  readonly #children = new Set<Child>()
  /** Handed-out children by `${owner}\n${id}`. */
  readonly #claims = new Map<string, Child>()
  #config: PoolConfig
  #generation = 0
  #bootFailures = 0
  #lastBootError: string | undefined
  #pausedUntilRetry = false
  #refillScheduled = false
  #stopping = false
  readonly #dir: string

  /** Make the pool and start booting its children. */
  constructor(options: PoolOptions) {
    this.#config = options.config
    this.#env = options.env
    this.#cwd = options.cwd
    this.#dir = options.dir
    this.#log = options.log
    this.#changed = options.changed
    this.#refill()
  }

  /** The pids of idle children: ready ones, and ones still booting. */
  idle(): { ready: number[]; booting: number[] } {
    const ready: number[] = []
    const booting: number[] = []
    for (const child of this.#children) {
      if (child.state === 'ready') ready.push(child.pid)
      else if (child.state === 'booting') booting.push(child.pid)
    }
    return { ready, booting }
  }

  /** Apply a new configuration: idle children booted with the old one are replaced. */
  configure(config: PoolConfig): void {
    this.#config = config
    this.#generation++
    this.#bootFailures = 0
    this.#pausedUntilRetry = false
    for (const child of this.#children) {
      if (child.state === 'ready' || child.state === 'booting') signalChild(child.process, 'SIGKILL', false)
    }
    this.#refill()
  }

  /**
   * Hand a child to the actor `request.id` of `owner`: an idle pooled child
   * when the actor's flags and startup variables match the pool's, else one
   * booted for it. The child connects to the owner itself; the owner hears
   * 'exit' once the child is reaped, or 'failed' when none could be started.
   */
  acquire(owner: Owner, request: SpawnMessage): void {
    const { id } = request
    const key = claimKey(owner, id)
    if (this.#stopping || this.#claims.has(key)) return
    // Whole environments for the checks and dedicated children; a warm child gets the delta as it came.
    const actor: ActorRequest & { env: Readonly<Record<string, string>> } = {
      ...request.actor,
      env: isEnvDelta(request.actor.env) ? applyEnvDelta(this.#env, request.actor.env) : request.actor.env,
    }
    if (actor.cwd !== this.#cwd && !isDirectory(actor.cwd)) {
      owner.send({ op: 'failed', id, message: `spawn ${process.execPath} ENOENT: the working directory ${actor.cwd} does not exist`, code: 'ENOENT' })
      return
    }
    let message: AssignMessage = { op: 'assign', actor: request.actor, reply: request.reply, ticket: request.ticket }
    const fits = ownRuntime(actor.execPath) && sameFlags(actor.execArgv, this.#config.execArgv) && startupEnvMatches(actor.env, this.#env)
    let child = fits ? this.#idleChild() : undefined
    if (!child) {
      if (!fits) this.#log.debug(`booting a child for actor '${actor.name}': ${this.#mismatch(actor)}`)
      // As the process backend reports a failed spawn: the OS's reason (EMFILE, EAGAIN, ...) and its code.
      const failed = (error: Error): void => {
        const code = (error as NodeJS.ErrnoException).code
        owner.send({ op: 'failed', id, message: error.message, ...(typeof code === 'string' ? { code } : {}) })
      }
      child = fits
        ? this.#boot(true, undefined, this.#config.execArgv, definedEnv(this.#env), this.#cwd, this.#config.preload, failed)
        : this.#boot(false, actor.execPath, actor.execArgv, actor.env, actor.cwd, [], failed)
      if (!child) return
      // Booted with the actor's own environment: it needs it whole.
      if (!fits) message = { ...message, actor }
    }
    child.state = 'claimed'
    child.owner = owner
    child.id = id
    this.#claims.set(key, child)
    if (child.listening) this.#assign(child, message)
    else child.pending = message
    this.#changed()
    this.#scheduleRefill()
  }

  /** Signal the actor `id` of `owner`, if it still runs: the forkserver is its parent, so its pid cannot have been reused. */
  signal(owner: Owner, id: string, signal: 'SIGTERM' | 'SIGKILL'): void {
    const child = this.#claims.get(claimKey(owner, id))
    if (child) signalChild(child.process, signal, child.state === 'exited')
  }

  /**
   * The owner's control channel closed (its process died): its actors are
   * orphans. They leave by themselves when their parent channel closes;
   * whatever is still running after {@link ORPHAN_KILL_AFTER} is killed.
   */
  ownerGone(owner: Owner): void {
    const orphans = [...this.#children].filter((child) => child.owner === owner && child.state !== 'exited')
    if (orphans.length === 0) return
    this.#log.debug(`owner gone: ${orphans.length} actor(s) orphaned`)
    for (const child of orphans) signalChild(child.process, 'SIGTERM', child.state === 'exited')
    setTimeout(() => {
      for (const child of orphans) signalChild(child.process, 'SIGKILL', child.state === 'exited')
    }, ORPHAN_KILL_AFTER).unref()
  }

  /**
   * Stop: idle children are killed at once, handed-out actors are asked to
   * leave (SIGTERM) and killed after {@link STOP_KILL_AFTER}. Resolves once
   * every child has been reaped, or after a bound.
   */
  async stop(): Promise<void> {
    this.#stopping = true
    const alive = [...this.#children].filter((child) => child.state !== 'exited')
    for (const child of alive) signalChild(child.process, child.state === 'claimed' ? 'SIGTERM' : 'SIGKILL', child.state === 'exited')
    const reaped = Promise.all(
      alive.map((child) => (child.state === 'exited' ? Promise.resolve() : new Promise((resolve) => child.process.once('exit', resolve)))),
    )
    const killer = setTimeout(() => {
      for (const child of alive) signalChild(child.process, 'SIGKILL', child.state === 'exited')
    }, STOP_KILL_AFTER)
    let bound: NodeJS.Timeout | undefined
    await Promise.race([reaped, new Promise((resolve) => (bound = setTimeout(resolve, STOP_KILL_AFTER + REAP_BOUND)))])
    clearTimeout(killer)
    clearTimeout(bound)
  }

  #mismatch(actor: ActorRequest & { env: Readonly<Record<string, string>> }): string {
    if (!ownRuntime(actor.execPath)) return `it runs on ${actor.execPath ?? ''}, not on the pool's ${process.execPath}`
    if (!sameFlags(actor.execArgv, this.#config.execArgv))
      return `its Node flags ${JSON.stringify(actor.execArgv)} are not the pool's ${JSON.stringify(this.#config.execArgv)}`
    return `it sets startup variables differently from the pool (${startupEnvDifferences(actor.env, this.#env).join(', ')})`
  }

  /** The idle pooled child to hand out: a ready one first, else the one that has booted longest. */
  #idleChild(): Child | undefined {
    let booting: Child | undefined
    for (const child of this.#children) {
      if (!child.pooled || child.generation !== this.#generation) continue
      if (child.state === 'ready') return child
      if (child.state === 'booting' && !booting) booting = child
    }
    return booting
  }

  /**
   * Start a child. When the OS refuses (EMFILE, EAGAIN, ENOENT for a missing
   * cwd, ...) `failed` hears why, at once or on a later tick, and this
   * returns `undefined`.
   */
  #boot(
    pooled: boolean,
    execPath: string | undefined,
    execArgv: readonly string[],
    env: Readonly<Record<string, string>>,
    cwd: string,
    preload: readonly string[],
    failed: (error: Error) => void,
  ): Child | undefined {
    let proc: ChildProcess
    try {
      const command = runtimeCommand(execPath, execArgv, WARM_CHILD_ENTRY, preload)
      proc = spawn(command.file, command.args, {
        // fd 3 is the liveness link (it closes when the forkserver dies); the IPC channel carries the assignment.
        stdio: ['ignore', 'inherit', 'inherit', 'pipe', 'ipc'],
        env,
        cwd,
        windowsHide: true,
      })
    } catch (error) {
      failed(error instanceof Error ? error : new Error(String(error)))
      return undefined
    }
    if (proc.pid === undefined) {
      // Node reports why on the next tick.
      proc.once('error', failed)
      return undefined
    }
    const child: Child = { process: proc, pid: proc.pid, pooled, generation: this.#generation, state: 'booting', listening: false, booted: false }
    child.helloTimer = setTimeout(() => {
      this.#log.warn(`child ${child.pid}: ${STUCK_AT_START}`)
      child.stuck = true
      signalChild(proc, 'SIGKILL', child.state === 'exited')
    }, HELLO_TIMEOUT)
    this.#children.add(child)
    proc.on('error', (error) => this.#log.debug(`child ${child.pid}:`, error.message))
    proc.on('message', (report: ChildReport) => this.#report(child, report))
    proc.once('exit', (code, signal) => this.#exited(child, code, signal))
    return child
  }

  #report(child: Child, report: ChildReport): void {
    switch (report.op) {
      case 'hello':
        clearTimeout(child.helloTimer)
        child.listening = true
        if (!child.pending) {
          child.rehearsal = rehearsalSocketPath(this.#dir, child.pid)
          child.process.send({ op: 'warm-up', path: child.rehearsal } satisfies WarmUpMessage, () => {})
        }
        if (child.pending) {
          const message = child.pending
          child.pending = undefined
          this.#assign(child, message)
        }
        return
      case 'ready':
        child.booted = true
        if (child.pooled && this.#bootFailures > 0) {
          // Children boot again (the cause, EMFILE say, has passed): refill as usual.
          this.#bootFailures = 0
          this.#pausedUntilRetry = false
          this.#scheduleRefill()
        }
        if (child.state === 'booting') {
          child.state = 'ready'
          this.#changed()
        }
        return
    }
  }

  #assign(child: Child, message: AssignMessage): void {
    child.process.send(message, (error) => {
      if (error) this.#log.debug(`could not hand actor '${message.actor.name}' to child ${child.pid}:`, error.message)
    })
  }

  #exited(child: Child, code: number | null, signal: NodeJS.Signals | null): void {
    const wasIdle = child.state === 'ready' || child.state === 'booting'
    child.state = 'exited'
    clearTimeout(child.helloTimer)
    this.#children.delete(child)
    // A child killed while it rehearsed (SIGKILL, at any moment) leaves its socket file behind: its reaper removes it.
    if (child.rehearsal !== undefined) removeSocketFile(child.rehearsal)
    if (child.owner && child.id !== undefined) {
      this.#claims.delete(claimKey(child.owner, child.id))
      child.owner.send({ op: 'exit', id: child.id, code, signal, ...(child.stuck ? { reason: STUCK_AT_START } : {}) })
    }
    if (wasIdle) {
      if (child.pooled && !child.booted && child.generation === this.#generation && !this.#stopping)
        this.#bootFailed(
          new Error(
            child.stuck ? `a warm child ${STUCK_AT_START}` : `a warm child exited while booting (${signal ? `killed by ${signal}` : `code ${String(code)}`})`,
          ),
        )
      this.#changed()
      this.#scheduleRefill()
    }
  }

  /** A pool child could not be started or died booting: try again later, pausing after a streak. */
  readonly #bootFailed = (error: Error): void => {
    this.#lastBootError = error.message
    this.#bootFailures++
    this.#scheduleRefill()
  }

  #scheduleRefill(): void {
    if (this.#refillScheduled || this.#stopping) return
    this.#refillScheduled = true
    // Not at once: spawning blocks this loop for a moment and a booting Node takes a core for tens of ms,
    // which would slow down the very actor whose hand-out triggered the refill.
    setTimeout(() => {
      this.#refillScheduled = false
      this.#refill()
    }, REFILL_DELAY)
  }

  #refill(): void {
    if (this.#stopping || this.#pausedUntilRetry) return
    if (this.#bootFailures >= MAX_BOOT_FAILURES) {
      this.#pausedUntilRetry = true
      this.#log.warn(
        `${MAX_BOOT_FAILURES} warm children in a row could not boot${this.#lastBootError ? ` (${this.#lastBootError})` : ''}; the pool refills again once a child boots, or in ${BOOT_RETRY_AFTER / 1000} s (check the preload modules, execArgv and resource limits)`,
      )
      setTimeout(() => {
        this.#bootFailures = 0
        this.#pausedUntilRetry = false
        this.#refill()
      }, BOOT_RETRY_AFTER).unref()
      return
    }
    let idle = 0
    for (const child of this.#children)
      if (child.pooled && child.generation === this.#generation && (child.state === 'ready' || child.state === 'booting')) idle++
    let booted = false
    for (; idle < this.#config.poolSize; idle++) {
      if (!this.#boot(true, undefined, this.#config.execArgv, definedEnv(this.#env), this.#cwd, this.#config.preload, this.#bootFailed)) break
      booted = true
    }
    if (booted) this.#changed()
  }
}

/** Whether an actor asking for `execPath` can run on this forkserver's own runtime, as warm children do. */
function ownRuntime(execPath: string | undefined): boolean {
  return execPath === undefined || execPath === process.execPath
}

function claimKey(owner: Owner, id: string): string {
  return `${owner.token}\n${id}`
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
