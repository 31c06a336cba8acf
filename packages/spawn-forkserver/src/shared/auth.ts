/** The per-tree secret: made once by the root, proven by the first message of every connection to the forkserver. */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** Bytes of entropy in a tree's secret. */
const SECRET_BYTES = 32

/** A fresh secret, base64. It travels only over private channels: the forkserver's fd 3, spawn specs, and its 0700 socket. */
export function makeSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64')
}

/**
 * Whether `offered` is the tree's secret, in constant time. Both sides are
 * hashed first, so neither their lengths nor a common prefix shows in the timing.
 */
export function secretMatches(expected: string, offered: unknown): boolean {
  if (typeof offered !== 'string') return false
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(offered).digest()
  return timingSafeEqual(a, b)
}
