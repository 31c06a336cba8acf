/** Which stream items may wait in a batch after they were yielded, and how large they can encode. */

/** UTF-16 code units a small string holds at most. */
const MAX_STRING = 4096

/** msgpack's largest string header (str 32). */
const STRING_HEADER = 5

/**
 * An upper bound of what `value` encodes to, in bytes, when it is a small
 * immutable value: a number, a boolean, `null`, `undefined` or a string of at
 * most 4,096 UTF-16 units. Such an item can wait in a batch after it was
 * yielded: nothing can change it before it is encoded, and it always encodes.
 * `undefined` for anything else: an object, array, buffer or date may be
 * changed by the generator after its `yield` (one object reused for every
 * item), so it is encoded, and sent, at once.
 */
export function smallValueBytes(value: unknown): number | undefined {
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
      return value.length <= MAX_STRING ? STRING_HEADER + 3 * value.length : undefined
    case 'object':
      return value === null ? 1 : undefined
    case 'bigint':
    case 'function':
    case 'symbol':
      return undefined
  }
}
