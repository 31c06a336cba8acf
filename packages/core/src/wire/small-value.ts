/** Which values are small enough to share a frame with others, and how large they can encode. */

/** Containers deeper than this are not small: it also ends the walk on a circular reference. */
const MAX_DEPTH = 3
/** Entries (array items or object keys) a small container holds at most. */
const MAX_ENTRIES = 64
/** UTF-16 code units a small string holds at most. */
const MAX_STRING = 4096
/** Bytes a small binary value holds at most. */
const MAX_BYTES = 16 * 1024

/** msgpack's largest header (str 32, bin 32, ext 32) and a little slack. */
const HEADER = 6

/**
 * An upper bound of what `value` encodes to, in bytes, when it is *small*: a
 * primitive, a short string, a short binary value or date, or a shallow array
 * or plain object of those. `undefined` for anything else (large, deep, or of
 * another kind, such as a function, a class instance, a Map or a bigint), which
 * the caller then sends on its own after checking it with `assertSendable`.
 * A small value is always sendable.
 */
export function smallValueBytes(value: unknown, depth = 0): number | undefined {
  switch (typeof value) {
    case 'number':
      return 9
    case 'boolean':
      return 1
    case 'undefined':
      // msgpack has no undefined: msgpackr writes it as a 1-byte extension.
      return 3
    case 'string':
      // Each UTF-16 unit encodes to at most 3 bytes of UTF-8 (a surrogate pair, two units, to 4).
      return value.length <= MAX_STRING ? HEADER + 3 * value.length : undefined
    case 'object':
      break
    case 'bigint':
    case 'function':
    case 'symbol':
      return undefined
  }
  if (value === null) return 1
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.byteLength <= MAX_BYTES ? HEADER + 2 + value.byteLength : undefined
  if (value instanceof Date) return 16
  if (depth >= MAX_DEPTH) return undefined
  if (Array.isArray(value)) {
    if (value.length > MAX_ENTRIES) return undefined
    let bytes = HEADER
    for (let i = 0; i < value.length; i++) {
      const item = smallValueBytes(value[i], depth + 1)
      if (item === undefined) return undefined
      bytes += item
    }
    return bytes
  }
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return undefined
  const keys = Object.keys(value)
  if (keys.length > MAX_ENTRIES || Object.getOwnPropertySymbols(value).length > 0) return undefined
  // A record's first use on a channel also carries its keys: counted every time, as an upper bound.
  let bytes = HEADER * 2
  for (const key of keys) {
    const item = smallValueBytes((value as Record<string, unknown>)[key], depth + 1)
    if (item === undefined || key.length > MAX_STRING) return undefined
    bytes += item + HEADER + 3 * key.length
  }
  return bytes
}
