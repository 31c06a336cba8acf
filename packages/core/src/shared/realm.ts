/** Per-realm runtime state: who this actor is, its running tasks' storage, and its open nurseries. */

import { AsyncLocalStorage } from 'node:async_hooks'
import type { Transport } from './contracts.js'
import { lazyWorkerThreads } from './builtins.js'
import type { ActorIdentity } from '../wire/protocol.js'
import { getStartMethod } from './registry.js'

/** Everything a program may learn about an actor. */
export interface ActorInfo {
  /** The actor's name, as given when it was started. */
  readonly name: string
  /** The actor's unique id. */
  readonly uid: string
  /** The spawn method it was started with. */
  readonly spawnMethod: string
  /** Its OS process id (the host process's, for a thread). */
  readonly pid?: number
  /** Its worker thread id, when it is a thread. */
  readonly threadId?: number
  /** The host it runs on, when that is not the root's (see {@link HOST_ENV}). */
  readonly host?: string
}

/**
 * The environment variable that names the host this process's actors run on, set by a backend that starts actors
 * on another host (`'ssh'`) and inherited by their local children: errors name each hop's host by it.
 */
export const HOST_ENV = 'HARROW_HOST'

/** The host label in `env` (this process's by default), when a backend set one. */
export function hostLabel(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  return env[HOST_ENV] || undefined
}

/** What a running remote task sees through `currentTask()`. */
export interface TaskInfo {
  /** Aborts when the caller cancels the task or the actor is cancelled. */
  readonly signal: AbortSignal
  /** The actor running the task. */
  readonly actor: ActorInfo
}

/** Something that can be cancelled as a whole when its actor is: a nursery. */
export interface Cancellable {
  /** Cancel politely, escalating within `terminateAfter`. */
  cancel(options?: { terminateAfter?: number }): Promise<void>
  /** Kill every child now. */
  kill(): Promise<void>
  /** Close it as its owner should have (a root that ended with it open). */
  close(): Promise<void>
  /** Where it was opened and what it holds, for the message when a root ends with it open. */
  describe(): string
}

interface RuntimeState {
  readonly tasks: AsyncLocalStorage<TaskInfo>
  /** This realm's actor once it is one; `undefined` in a root. */
  self: ActorIdentity | undefined
  parent: ActorIdentity | undefined
  rootIdentity: ActorIdentity | undefined
  /** Nurseries open in this realm, to cancel when the actor is cancelled or the root is interrupted. */
  readonly nurseries: Set<Cancellable>
  /** Default for nurseries opened inside this actor, from the parent. */
  terminateAfter: number | undefined
  /** The channel's transport, for fault-injection tests only. */
  transport: Transport | undefined
  /** Children spawned from this realm that are not reaped yet. */
  readonly liveActors: Map<string, ActorInfo>
  /** Values handed down the tree in every spawn spec (see tree.ts). */
  readonly treeValues: Map<string, unknown>
}

// On a Symbol.for global so that a second copy of core in the same realm (two
// resolutions of @harrow/core) still sees the one runtime: currentTask() in an
// actor module must find the task that the runtime started.
const STATE = Symbol.for('harrow.runtime.v1')

/** @internal The realm's runtime state. */
export function runtime(): RuntimeState {
  const holder = globalThis as typeof globalThis & { [STATE]?: RuntimeState }
  return (holder[STATE] ??= {
    tasks: new AsyncLocalStorage<TaskInfo>(),
    self: undefined,
    parent: undefined,
    rootIdentity: undefined,
    nurseries: new Set(),
    terminateAfter: undefined,
    transport: undefined,
    liveActors: new Map(),
    treeValues: new Map(),
  })
}

/** True inside an actor (a spawned child), false in a root program. */
export function isActor(): boolean {
  return runtime().self !== undefined
}

/** This realm's identity: the actor it runs, or a root identity made on first use. */
export function selfIdentity(): ActorIdentity {
  const state = runtime()
  if (state.self) return state.self
  const { threadId } = lazyWorkerThreads()
  return (state.rootIdentity ??= {
    name: 'root',
    uid: globalThis.crypto.randomUUID(),
    spawnMethod: getStartMethod(),
    pid: process.pid,
    ...(threadId === 0 ? {} : { threadId }),
    ...hostField(),
  })
}

function hostField(): { host?: string } {
  const host = hostLabel()
  return host === undefined ? {} : { host }
}

function info(identity: ActorIdentity): ActorInfo {
  return {
    name: identity.name,
    uid: identity.uid,
    spawnMethod: identity.spawnMethod,
    ...(identity.pid === undefined ? {} : { pid: identity.pid }),
    ...(identity.threadId === undefined ? {} : { threadId: identity.threadId }),
    ...(identity.host === undefined ? {} : { host: identity.host }),
  }
}

/**
 * The actor this code runs in, with its parent; a root program has no parent.
 */
export function currentActor(): ActorInfo & {
  /** The actor that started this one; a root program has none. */
  readonly parent?: ActorInfo
} {
  const state = runtime()
  const self = info(selfIdentity())
  return state.parent ? { ...self, parent: info(state.parent) } : self
}

/**
 * The actors this process (or thread) spawned that have not been reaped yet,
 * across every nursery. For diagnostics and leak checks in tests.
 */
export function liveActors(): ActorInfo[] {
  return [...runtime().liveActors.values()]
}
