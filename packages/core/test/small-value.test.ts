import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { Codec } from '../src/wire/codec.js'
import { Op } from '../src/wire/protocol.js'
import { assertSendable } from '../src/wire/sendable.js'
import { smallValueBytes } from '../src/wire/small-value.js'

const RUNS = Number(process.env.HARROW_FUZZ_RUNS ?? 300)

/** What `value` adds to an `Items` message on a fresh channel (record shapes defined there, the worst case). */
function encodedBytes(value: unknown): number {
  const empty = new Codec().encode([Op.Items, 1, []]).length
  return new Codec().encode([Op.Items, 1, [value]]).length - empty
}

describe('smallValueBytes', () => {
  test('bounds what a small value encodes to, and a small value is sendable', () => {
    const leaf = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.uint8Array({ maxLength: 64 }),
      fc.date({ noInvalidDate: true }),
    )
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 8 }),
      object: fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), tie('value'), { maxKeys: 8 }),
    }))
    fc.assert(
      fc.property(value, (item) => {
        const bound = smallValueBytes(item)
        if (bound === undefined) return
        expect(() => assertSendable(item, 'item')).not.toThrow()
        expect(encodedBytes(item)).toBeLessThanOrEqual(bound)
      }),
      { numRuns: RUNS },
    )
  })

  test('the largest small string, binary value and container are still bounded', () => {
    for (const item of [
      '\u{1F600}'.repeat(2048),
      'é'.repeat(4096),
      new Uint8Array(16 * 1024),
      new Float64Array(2048),
      Array.from({ length: 64 }, () => 'x'.repeat(100)),
    ]) {
      const bound = smallValueBytes(item)
      expect(bound).toBeDefined()
      expect(encodedBytes(item)).toBeLessThanOrEqual(bound as number)
    }
  })

  test('anything large, deep or of another kind is not small', () => {
    const circular: Record<string, unknown> = {}
    circular.self = circular
    const cases: unknown[] = [
      'x'.repeat(4097),
      new Uint8Array(16 * 1024 + 1),
      Array.from({ length: 65 }, () => 1),
      [[[[1]]]],
      circular,
      () => 1,
      Symbol('s'),
      10n,
      new Map(),
      new Set([1]),
      new Error('e'),
      /re/,
      new (class Point {})(),
      { [Symbol('k')]: 1 },
    ]
    for (const item of cases) expect(smallValueBytes(item)).toBeUndefined()
  })
})
