/** Boxing errors for the wire and rebuilding them as `RemoteActorError`s on the other side. */

import { assertSendable } from './sendable.js'
import { ActorCancelledError, RemoteActorError, type ActorId } from '../shared/errors.js'
import type { ErrorBox } from './protocol.js'

// Frames from harrow's own bundle and from async_hooks only show how a task was dispatched.
const OWN_FILES = new URL('.', import.meta.url).href

function userStack(stack: string | undefined): string {
  if (!stack) return ''
  return stack
    .split('\n')
    .filter((line) => !/^\s+at /.test(line) || !(line.includes(OWN_FILES) || line.includes('node:async_hooks')))
    .join('\n')
}

function idOf(actor: ActorId): ActorId {
  return { name: actor.name, uid: actor.uid, ...(actor.host === undefined ? {} : { host: actor.host }) }
}

function sendableFields(error: object): Record<string, unknown> | undefined {
  const keys = Object.keys(error)
  if (keys.length === 0) return undefined
  const fields: Record<string, unknown> = {}
  for (const key of keys) {
    const value = (error as Record<string, unknown>)[key]
    try {
      assertSendable(value, key)
      fields[key] = value
    } catch {
      fields[key] = `[unsendable: ${typeof value}]`
    }
  }
  return fields
}

/**
 * Box what a task threw, as `self` reports it to its parent. A
 * `RemoteActorError` from one of `self`'s children keeps its origin and grows
 * its relay path by `self`.
 */
export function boxError(thrown: unknown, self: ActorId): ErrorBox {
  const me = idOf(self)
  if (thrown instanceof RemoteActorError) {
    const received = boxReceived(thrown)
    return { ...received, relayPath: [...received.relayPath, me], cause: received }
  }
  if (thrown instanceof Error) {
    const fields = sendableFields(thrown)
    return {
      type: thrown.name,
      message: thrown.message,
      stack: userStack(thrown.stack),
      src: me,
      relayPath: [me],
      ...(fields ? { fields } : {}),
    }
  }
  return {
    type: thrown === null ? 'null' : typeof thrown,
    message: typeof thrown === 'string' ? thrown : safeString(thrown),
    stack: '',
    src: me,
    relayPath: [me],
  }
}

/** The box of a received `RemoteActorError` as it was, to ride along as the next hop's cause. */
function boxReceived(error: RemoteActorError): ErrorBox {
  const cause = error.cause instanceof RemoteActorError ? boxReceived(error.cause) : undefined
  return {
    type: error.boxedType,
    message: error.remoteMessage,
    stack: error.remoteStack,
    src: idOf(error.src),
    relayPath: error.relayPath.map(idOf),
    ...(Object.keys(error.fields).length > 0 ? { fields: { ...error.fields } } : {}),
    ...(cause ? { cause } : {}),
  }
}

function safeString(value: unknown): string {
  try {
    return String(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}

/** Rebuild a received box as the `RemoteActorError` the caller sees; its `cause` is the next hop's. */
export function unboxError(box: ErrorBox): RemoteActorError {
  const actor = box.relayPath[box.relayPath.length - 1] ?? box.src
  return new RemoteActorError({
    boxedType: box.type,
    remoteMessage: box.message,
    remoteStack: box.stack,
    actor,
    src: box.src,
    relayPath: [...box.relayPath],
    ...(box.fields ? { fields: box.fields } : {}),
    ...(box.cause ? { cause: unboxError(box.cause) } : {}),
  })
}

/**
 * What a task's terminal error box means to the caller: an
 * `ActorCancelledError` when the task ended by its cancellation, otherwise
 * the remote failure as a `RemoteActorError`.
 */
export function unboxFailure(box: ErrorBox): RemoteActorError | ActorCancelledError {
  if (box.cancelled) return new ActorCancelledError(`the task in actor '${box.src.name}' was cancelled`, { actor: box.src })
  return unboxError(box)
}

/** Whether `thrown` is how a cancelled task unwinds (its cancel `reason`, or an abort), rather than a failure of its own. */
export function isCancellation(thrown: unknown, reason: unknown): boolean {
  return thrown === reason || thrown instanceof ActorCancelledError || (thrown as { name?: unknown } | null)?.name === 'AbortError'
}
