import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { Codec } from '../src/wire/codec.js'
import { Op } from '../src/wire/protocol.js'
import { assertSendable } from '../src/wire/sendable.js'
import { smallValueBytes } from '../src/wire/small-value.js'

const RUNS = Number(process.env.HARROW_FUZZ_RUNS ?? 300)

/** What `value` adds to an `Items` message. */
function encodedBytes(value: unknown): number {
  const empty = new Codec().encode([Op.Items, 1, []]).length
  return new Codec().encode([Op.Items, 1, [value]]).length - empty
}

describe('smallValueBytes', () => {
  test('bounds what a small value encodes to, and a small value is sendable', () => {
    const item = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.anything(),
    )
    fc.assert(
      fc.property(item, (value) => {
        const bound = smallValueBytes(value)
        if (bound === undefined) return
        expect(() => assertSendable(value, 'item')).not.toThrow()
        expect(encodedBytes(value)).toBeLessThanOrEqual(bound)
      }),
      { numRuns: RUNS },
    )
  })

  test('the largest small strings are still bounded', () => {
    for (const value of ['\u{1F600}'.repeat(2048), 'é'.repeat(4096), '\u0800'.repeat(4096), 'x'.repeat(4096)]) {
      const bound = smallValueBytes(value)
      expect(bound).toBeDefined()
      expect(encodedBytes(value)).toBeLessThanOrEqual(bound as number)
    }
  })

  test('what the generator could change after its yield, or what is large, is not small', () => {
    const cases: unknown[] = ['x'.repeat(4097), { n: 1 }, [1, 2], new Uint8Array(4), Buffer.from('x'), new Date(0), new Map(), 10n, () => 1, Symbol('s')]
    for (const value of cases) expect(smallValueBytes(value)).toBeUndefined()
  })
})
