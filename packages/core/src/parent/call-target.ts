/** The check every call, stream and context starts with, on a portal or a pool: a well-formed ref and sendable arguments. */

import { toFnRef, type FnRef } from '../shared/ref.js'
import { assertSendable } from '../wire/sendable.js'

/**
 * `fn` normalised, once `args` are known to be sendable; nothing is sent when this throws.
 *
 * @throws TypeError for a malformed ref or an argument that cannot be sent, naming its path.
 */
export function callTarget(fn: FnRef<unknown>, args: unknown): FnRef {
  const target = toFnRef(fn)
  assertSendable(args, 'args')
  return target
}
