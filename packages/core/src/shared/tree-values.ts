/**
 * Tree values: what a backend hands down an actor tree. Every actor spawned
 * from this realm receives them in its spawn spec, over the private parent
 * channel, so a forkserver's address and secret reach descendants without a
 * command line or a file.
 */

import { assertSendable } from '../wire/sendable.js'
import { runtime } from './realm.js'

/**
 * Set a value every actor spawned from here on inherits (and hands down in
 * turn). Pass `undefined` to stop handing it down.
 *
 * @throws TypeError when the value cannot be sent.
 */
export function setTreeValue(key: string, value: unknown): void {
  const values = runtime().treeValues
  if (value === undefined) {
    values.delete(key)
    return
  }
  assertSendable(value, `tree value '${key}'`)
  values.set(key, value)
}

/** The tree value `key`: set in this realm, or inherited from the parent. */
export function getTreeValue<T = unknown>(key: string): T | undefined {
  return runtime().treeValues.get(key) as T | undefined
}

/** @internal Every tree value, for the spawn spec. */
export function treeValues(): Record<string, unknown> {
  return Object.fromEntries(runtime().treeValues)
}
