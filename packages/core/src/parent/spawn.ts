/**
 * The spawn sequence, written once for every backend: start the child, race
 * its handshake against its death, send the spawn spec, hand out the portal,
 * then own the child until it is reaped (soft kill, then hard kill).
 */

import { TIMED_OUT, aborted, within, withinGrace } from '../shared/async.js'
import type { BackendOptions, ExitInfo, ProcHandle, SpawnedChild, SpawnRequest } from '../shared/contracts.js'
import { ActorConnection } from './connection.js'
import { ActorCancelledError, ActorFailure, describeSystemError, isHarrowError, type ActorId } from '../shared/errors.js'
import { DRAIN_GRACE, hardKill, softKill, waitForPeerOrProcDeath } from './lifecycle.js'
import { debug } from '../shared/log.js'
import { Portal } from './portal.js'
import { holding } from './keep-alive.js'
import type { SpawnSpec } from '../wire/protocol.js'
import { loadSpawnBackend, spawnMethodHints } from '../shared/registry.js'
import { hostLabel, runtime, selfIdentity, type ActorInfo } from '../shared/realm.js'
import { treeValues } from '../shared/tree-values.js'

/** Everything {@link spawnActor} needs, resolved from nursery and actor options. */
export interface SpawnParams {
  readonly name: string
  readonly spawnMethod: string
  /** Normalised module specifiers. */
  readonly enableModules: readonly string[]
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string | undefined
  readonly execArgv: readonly string[]
  readonly execPath: string | undefined
  readonly startupTimeout: number
  readonly terminateAfter: number
  readonly maxFrameSize: number
  readonly backend: BackendOptions
  /** Aborting it while the child boots kills the child and rejects with `ActorCancelledError`. */
  readonly signal: AbortSignal
}

/**
 * One live child: its portal, and the task that owns it until it is reaped.
 * Made by {@link spawnActor}.
 */
export class ActorHandle {
  readonly portal: Portal
  readonly #proc: ProcHandle
  readonly #connection: ActorConnection
  readonly #stop = new AbortController()
  readonly #terminateAfter: number
  /** Resolves once the child has exited and its channel has closed. Never rejects. */
  readonly done: Promise<ExitInfo>

  constructor(connection: ActorConnection, proc: ProcHandle, terminateAfter: number) {
    this.#connection = connection
    this.#proc = proc
    this.#terminateAfter = terminateAfter
    this.portal = new Portal(connection, terminateAfter)
    // A channel that closes while the child lives cannot be talked to again: reap the child.
    void connection.closed.then(() => {
      if (!proc.exit) this.#stop.abort()
    })
    const live = runtime().liveActors
    live.set(connection.actor.uid, connection.actor)
    this.done = this.#own().finally(() => live.delete(connection.actor.uid))
  }

  get actor(): ActorInfo {
    return this.#connection.actor
  }

  /** True while the channel to the child is open: calls sent now can reach it. */
  get alive(): boolean {
    return !this.#connection.isClosed
  }

  /**
   * Why the child ended, when it ended by itself: the error its actor
   * reported, a protocol violation, or its exit. `undefined` while it runs or
   * when the parent stopped it.
   */
  async failure(): Promise<Error | undefined> {
    const reason = await this.#connection.closed
    return reason instanceof ActorCancelledError ? undefined : reason
  }

  /**
   * Cancel the actor politely, then terminate, then kill, within
   * `terminateAfter` (+ the kill grace). Idempotent; resolves once reaped.
   */
  stop(): Promise<ExitInfo> {
    this.#connection.markStopping()
    this.#stop.abort()
    return holding(this.done)
  }

  /** Kill the child now (SIGKILL), skipping the polite steps. Resolves once reaped. */
  kill(): Promise<ExitInfo> {
    this.#connection.markStopping()
    this.#proc.kill()
    return holding(this.done)
  }

  async #own(): Promise<ExitInfo> {
    const exit = await softKill(this.#proc, this.portal, { signal: this.#stop.signal, terminateAfter: this.#terminateAfter })
    // The child may have exited with messages still in flight (its last result): let them land.
    if (!this.#connection.isClosed && (await withinGrace(this.#connection.closed, DRAIN_GRACE)) === TIMED_OUT) this.#connection.close()
    await this.#connection.closed
    debug(`actor '${this.actor.name}' reaped:`, exit)
    return exit
  }
}

/**
 * Start one actor and return once it serves. On any failure before that the
 * child is reaped before this rejects.
 *
 * @throws SpawnMethodUnavailableError when the backend cannot be loaded.
 * @throws ActorFailure when the child dies or does not start within `startupTimeout`.
 * @throws RemoteActorError when an enabled module fails to import.
 * @throws ActorCancelledError when `signal` aborts first.
 */
export function spawnActor(params: SpawnParams): Promise<ActorHandle> {
  return holding(startChild(params))
}

async function startChild(params: SpawnParams): Promise<ActorHandle> {
  const backend = await loadSpawnBackend(params.spawnMethod)
  const uid = globalThis.crypto.randomUUID()
  if (params.signal.aborted) throw spawnCancelled({ name: params.name, uid })
  const request: SpawnRequest = {
    name: params.name,
    uid,
    spawnMethod: params.spawnMethod,
    execArgv: params.execArgv,
    execPath: params.execPath,
    env: params.env,
    cwd: params.cwd,
    options: params.backend,
    maxFrameSize: params.maxFrameSize,
  }
  let child: SpawnedChild
  try {
    child = await backend.spawn(request)
  } catch (error) {
    // A backend that cannot start a child at all (a refused option, no resources) fails this spawn, clearly.
    if (isHarrowError(error) || error instanceof TypeError) throw error
    const cause = error instanceof Error ? error : new Error(String(error))
    throw new ActorFailure({ actor: { name: params.name, uid }, exitCode: null, signal: null, phase: 'boot', reason: describeSystemError(cause), cause })
  }
  const { proc } = child
  // Local children run where their environment says; a backend that starts them elsewhere says where.
  const host = child.host ?? hostLabel(request.env)
  const actor: ActorInfo = {
    name: params.name,
    uid,
    spawnMethod: params.spawnMethod,
    ...(proc.pid === undefined ? {} : { pid: proc.pid }),
    ...(proc.threadId === undefined ? {} : { threadId: proc.threadId }),
    ...(host === undefined ? {} : { host }),
  }
  debug(`spawned actor '${actor.name}'`, actor)
  const connection = new ActorConnection(child.transport, actor, proc)
  // After the transport started (a port's 'message' listener references it again): from here on the child holds the
  // program open only while work is in flight (see keep-alive.ts).
  child.unref?.()
  const spec: SpawnSpec = {
    actor: { name: params.name, uid, spawnMethod: params.spawnMethod },
    parent: selfIdentity(),
    enableModules: params.enableModules,
    backends: spawnMethodHints(),
    terminateAfter: params.terminateAfter,
    maxFrameSize: params.maxFrameSize,
    tree: treeValues(),
  }
  connection.sendSpec(spec)

  const booted = waitForPeerOrProcDeath(connection.ready, proc, actor)
  const outcome = await Promise.race([within(booted, params.startupTimeout), aborted(params.signal, booted).then(() => 'cancelled' as const)]).catch(
    (error: unknown) => ({ error }),
  )
  if (outcome === undefined) return new ActorHandle(connection, proc, params.terminateAfter)

  // Boot failed: reap the child before reporting why.
  connection.markStopping()
  connection.close()
  const exit = await hardKill(proc, { terminateAfter: outcome === TIMED_OUT || outcome === 'cancelled' ? 0 : params.terminateAfter })
  if (outcome === 'cancelled') throw spawnCancelled(actor)
  if (outcome === TIMED_OUT) {
    throw new ActorFailure({ actor, exitCode: exit.code, signal: exit.signal, phase: 'boot', reason: `it did not start within ${params.startupTimeout} ms` })
  }
  throw outcome.error
}

function spawnCancelled(actor: ActorId): ActorCancelledError {
  return new ActorCancelledError(`spawning actor '${actor.name}' was cancelled`, { actor })
}

/** How long a child may take to boot before it is an `ActorFailure`, in ms. */
export const STARTUP_TIMEOUT = 30_000
