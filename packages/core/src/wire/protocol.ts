/** The actor protocol: message shapes, their validation, and the spawn spec. */

import type { ActorId } from '../shared/errors.js'
import { ProtocolError } from '../shared/errors.js'

/** Bumped on any incompatible change to the messages below (2: `TaskKind.Bound`; 3: `Op.Items`; 4: `Op.Blocked`). */
export const PROTOCOL_VERSION = 4

/** Opcodes: the first element of every message. */
export const Op = {
  /** child → parent: `[Hello, version, pid, threadId]`, the first message a child sends. */
  Hello: 0,
  /** parent → child: `[Spec, SpawnSpec]`, the first message a parent sends. */
  Spec: 1,
  /** child → parent: `[Ready]`, enabled modules are imported and the actor serves. */
  Ready: 2,
  /**
   * parent → child: `[Start, cid, kind, target, args]`. `target` is `[fnId, module, name]` the first time
   * a function is called on a channel, then just `fnId`: module and name cross the wire once.
   */
  Start: 3,
  /** child → parent: `[Yield, cid, value]`, a stream item or a context's send. */
  Yield: 4,
  /** child → parent: `[Started, cid, value]`, a context's first value; for a bound task, that it answers as a stream. */
  Started: 5,
  /** child → parent: `[Return, cid, value]`, the task's result; the last message for `cid`. */
  Return: 6,
  /** child → parent: `[Error, cid, ErrorBox]`; the last message for `cid`. `cid` 0 is the actor itself. */
  Error: 7,
  /** parent → child: `[Send, cid, value]`, a value for a context. */
  Send: 8,
  /** parent → child: `[End, cid]`, no more sends for this context. */
  End: 9,
  /** both ways: `[Credit, cid, n, bytes]`, the receiver took `n` items of `bytes` bytes: the sender may send that much more. */
  Credit: 10,
  /** parent → child: `[Cancel, cid]`, cancel one task. */
  Cancel: 11,
  /** parent → child: `[CancelActor]`, cancel every task and exit. */
  CancelActor: 12,
  /** child → parent: `[CancelAck]`, every task is cancelled; the actor exits next. */
  CancelAck: 13,
  /** child → parent: `[Items, cid, values]`, several stream items at once (at least one), in order. */
  Items: 14,
  /** both ways: `[Blocked, cid]`, the sender spent its item window and waits for credit (after everything it sent). */
  Blocked: 15,
} as const

/**
 * What a `Start` asks for. `Bound` (a call through `portal.bind`) lets the
 * child decide: a generator function answers as a stream (`Started`, then
 * items), anything else as a call.
 */
export const TaskKind = { Call: 0, Stream: 1, Context: 2, Bound: 3 } as const
export type TaskKind = (typeof TaskKind)[keyof typeof TaskKind]

/** The identity and settings an actor learns from its parent. */
export interface ActorIdentity extends ActorId {
  readonly spawnMethod: string
  readonly pid?: number
  readonly threadId?: number
}

/** What a parent tells a new child before it serves. */
export interface SpawnSpec {
  readonly actor: ActorIdentity
  readonly parent: ActorIdentity
  /** Module specifiers (normalised) whose exports the actor serves, imported at start. */
  readonly enableModules: readonly string[]
  /** Modules that register spawn methods, so the actor can spawn with them too. */
  readonly backends: Readonly<Record<string, string>>
  /** The parent's `terminateAfter`, which the actor's own nurseries default to. */
  readonly terminateAfter: number
  /** The largest frame either side accepts. */
  readonly maxFrameSize: number
  /** Values backends hand down the tree (see `setTreeValue`). */
  readonly tree: Readonly<Record<string, unknown>>
}

/** An error on the wire: what a `RemoteActorError` is rebuilt from. */
export interface ErrorBox {
  readonly type: string
  readonly message: string
  readonly stack: string
  readonly src: ActorId
  readonly relayPath: readonly ActorId[]
  readonly fields?: Record<string, unknown>
  /** The box of the error this one relays, when it came from a grandchild or deeper. */
  readonly cause?: ErrorBox
  /** The task ended because it was cancelled (its signal aborted and it threw that), not by a failure of its own. */
  readonly cancelled?: boolean
}

export type HelloMsg = [typeof Op.Hello, version: number, pid: number, threadId: number]
export type SpecMsg = [typeof Op.Spec, spec: SpawnSpec]
export type ReadyMsg = [typeof Op.Ready]
/** A function named once per channel (`[fnId, module, name]`), then by its id. */
export type StartTarget = number | [fnId: number, module: string, name: string]
export type StartMsg = [typeof Op.Start, cid: number, kind: TaskKind, target: StartTarget, args: unknown[]]
export type YieldMsg = [typeof Op.Yield, cid: number, value: unknown]
export type ItemsMsg = [typeof Op.Items, cid: number, values: unknown[]]
export type StartedMsg = [typeof Op.Started, cid: number, value: unknown]
export type ReturnMsg = [typeof Op.Return, cid: number, value: unknown]
export type ErrorMsg = [typeof Op.Error, cid: number, box: ErrorBox]
export type SendMsg = [typeof Op.Send, cid: number, value: unknown]
export type EndMsg = [typeof Op.End, cid: number]
export type CreditMsg = [typeof Op.Credit, cid: number, n: number, bytes: number]
export type BlockedMsg = [typeof Op.Blocked, cid: number]
export type CancelMsg = [typeof Op.Cancel, cid: number]
export type CancelActorMsg = [typeof Op.CancelActor]
export type CancelAckMsg = [typeof Op.CancelAck]

/** Messages a child sends. */
export type ChildMessage = HelloMsg | ReadyMsg | YieldMsg | ItemsMsg | StartedMsg | ReturnMsg | ErrorMsg | CreditMsg | BlockedMsg | CancelAckMsg
/** Messages a parent sends. */
export type ParentMessage = SpecMsg | StartMsg | SendMsg | EndMsg | CreditMsg | BlockedMsg | CancelMsg | CancelActorMsg

function isCid(x: unknown, allowZero = false): x is number {
  return typeof x === 'number' && Number.isInteger(x) && (allowZero ? x >= 0 : x > 0)
}

function isActorId(x: unknown): x is ActorId {
  if (typeof x !== 'object' || x === null) return false
  const id = x as ActorId
  return typeof id.name === 'string' && typeof id.uid === 'string' && (id.host === undefined || typeof id.host === 'string')
}

function isBox(x: unknown, depth = 0): x is ErrorBox {
  if (typeof x !== 'object' || x === null || depth > 64) return false
  const b = x as ErrorBox
  return (
    typeof b.type === 'string' &&
    typeof b.message === 'string' &&
    typeof b.stack === 'string' &&
    isActorId(b.src) &&
    Array.isArray(b.relayPath) &&
    b.relayPath.every(isActorId) &&
    (b.cause === undefined || isBox(b.cause, depth + 1))
  )
}

function malformed(what: string): ProtocolError {
  return new ProtocolError('malformed', `malformed message: ${what}`)
}

/**
 * Check that a decoded value is a message a child may send.
 *
 * @throws ProtocolError (`malformed`) when it is not.
 */
export function asChildMessage(raw: unknown): ChildMessage {
  if (!Array.isArray(raw) || typeof raw[0] !== 'number') throw malformed('expected [opcode, ...]')
  const m = raw as unknown[]
  switch (m[0]) {
    case Op.Hello:
      if (m.length === 4 && typeof m[1] === 'number' && typeof m[2] === 'number' && typeof m[3] === 'number') return m as HelloMsg
      break
    case Op.Ready:
    case Op.CancelAck:
      if (m.length === 1) return m as ReadyMsg | CancelAckMsg
      break
    case Op.Yield:
    case Op.Started:
    case Op.Return:
      if (m.length === 3 && isCid(m[1])) return m as YieldMsg
      break
    case Op.Items:
      if (m.length === 3 && isCid(m[1]) && Array.isArray(m[2]) && m[2].length > 0) return m as ItemsMsg
      break
    case Op.Error:
      if (m.length === 3 && isCid(m[1], true) && isBox(m[2])) return m as ErrorMsg
      break
    case Op.Credit:
      if (m.length === 4 && isCid(m[1]) && isCid(m[2]) && isCid(m[3], true)) return m as CreditMsg
      break
    case Op.Blocked:
      if (m.length === 2 && isCid(m[1])) return m as BlockedMsg
      break
  }
  throw malformed(`opcode ${String(m[0])} with ${m.length - 1} fields is not a message a child sends`)
}

/**
 * Check that a decoded value is a message a parent may send.
 *
 * @throws ProtocolError (`malformed`) when it is not.
 */
export function asParentMessage(raw: unknown): ParentMessage {
  if (!Array.isArray(raw) || typeof raw[0] !== 'number') throw malformed('expected [opcode, ...]')
  const m = raw as unknown[]
  switch (m[0]) {
    case Op.Spec: {
      const s = m[1] as SpawnSpec | undefined
      if (m.length === 2 && typeof s === 'object' && s !== null && isActorId(s.actor) && isActorId(s.parent) && Array.isArray(s.enableModules))
        return m as SpecMsg
      break
    }
    case Op.Start:
      if (
        m.length === 5 &&
        isCid(m[1]) &&
        (m[2] === TaskKind.Call || m[2] === TaskKind.Stream || m[2] === TaskKind.Context || m[2] === TaskKind.Bound) &&
        (isCid(m[3]) || (Array.isArray(m[3]) && m[3].length === 3 && isCid(m[3][0]) && typeof m[3][1] === 'string' && typeof m[3][2] === 'string')) &&
        Array.isArray(m[4])
      ) {
        return m as StartMsg
      }
      break
    case Op.Send:
      if (m.length === 3 && isCid(m[1])) return m as SendMsg
      break
    case Op.End:
    case Op.Cancel:
    case Op.Blocked:
      if (m.length === 2 && isCid(m[1])) return m as EndMsg | CancelMsg | BlockedMsg
      break
    case Op.Credit:
      if (m.length === 4 && isCid(m[1]) && isCid(m[2]) && isCid(m[3], true)) return m as CreditMsg
      break
    case Op.CancelActor:
      if (m.length === 1) return m as CancelActorMsg
      break
  }
  throw malformed(`opcode ${String(m[0])} with ${m.length - 1} fields is not a message a parent sends`)
}
