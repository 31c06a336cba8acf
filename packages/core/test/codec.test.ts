import { describe, expect, test } from 'vitest'
import { ActorFailure, HarrowError, isHarrowError } from '../src/shared/errors.js'
import { Codec } from '../src/wire/codec.js'
import { assertSendable } from '../src/wire/sendable.js'

function roundTrip<T>(value: T): T {
  const sender = new Codec()
  const receiver = new Codec()
  return receiver.decode(sender.encode(value)) as T
}

describe('codec', () => {
  test('Maps with any keys and plain objects stay distinct', () => {
    const value = {
      plain: { a: 1 },
      map: new Map<unknown, unknown>([
        ['a', 1],
        [{ k: 1 }, [2]],
      ]),
      empty: {},
      emptyMap: new Map(),
    }
    const back = roundTrip(value)
    expect(back).toStrictEqual(value)
    expect(back.map).toBeInstanceOf(Map)
    expect(back.plain).not.toBeInstanceOf(Map)
  })

  test('a long sequence of object shapes decodes in order on one channel', () => {
    const sender = new Codec()
    const receiver = new Codec()
    for (let i = 0; i < 2000; i++) {
      const value = { [`key${i % 300}`]: i, nested: { [`inner${i % 7}`]: [i] } }
      expect(receiver.decode(sender.encode(value))).toStrictEqual(value)
    }
  })

  test('errors keep their class, message, stack, cause and fields; harrow errors keep their brand', () => {
    const error = new TypeError('bad', { cause: new RangeError('worse') })
    Object.assign(error, { code: 'E_BAD' })
    const back = roundTrip(error)
    expect(back).toBeInstanceOf(TypeError)
    expect(back.stack).toBe(error.stack)
    expect(back.cause).toBeInstanceOf(RangeError)
    expect(back).toMatchObject({ message: 'bad', code: 'E_BAD' })

    const custom = new Error('custom')
    custom.name = 'ValidationError'
    expect(roundTrip(custom).name).toBe('ValidationError')

    const failure = new ActorFailure({ actor: { name: 'a', uid: 'u' }, exitCode: 1, signal: null, phase: 'running' })
    const failureBack = roundTrip(failure)
    expect(failureBack).toBeInstanceOf(ActorFailure)
    expect(isHarrowError(failureBack)).toBe(true)
    expect(failureBack).toMatchObject({ exitCode: 1, phase: 'running', actor: { name: 'a' } })

    const aggregate = roundTrip(new AggregateError([new Error('one'), new HarrowError('two')], 'both'))
    expect(aggregate).toBeInstanceOf(AggregateError)
    expect(aggregate.errors).toHaveLength(2)
  })

  test('assertSendable accepts every supported type', () => {
    const value = [
      undefined,
      null,
      1n,
      new Date(),
      /x/g,
      new Map([[1, new Set([2])]]),
      new Uint16Array(2),
      Buffer.alloc(1),
      new ArrayBuffer(4),
      Object.create(null) as object,
      new Error('e'),
    ]
    expect(() => assertSendable(value, 'args')).not.toThrow()
    // The same object twice is a DAG, not a cycle.
    const shared = { x: 1 }
    expect(() => assertSendable({ a: shared, b: shared }, 'args')).not.toThrow()
  })

  test('assertSendable names the path of the first unsendable value', () => {
    expect(() => assertSendable({ a: [{ 'odd key': () => 1 }] }, 'args')).toThrow(/a function \(odd key\) at args\.a\[0\]\["odd key"\]/)
    expect(() => assertSendable(new Map([['k', Symbol('s')]]), 'v')).toThrow(/a symbol \(Symbol\(s\)\) at v<Map value #0>/)
    expect(() => assertSendable({ [Symbol('k')]: 1 }, 'v')).toThrow(/symbol-keyed property at v/)
    expect(() => assertSendable(new URL('file:///x'), 'v')).toThrow(/an instance of URL at v/)
    expect(() => assertSendable(new (class Point {})(), 'v')).toThrow(/an instance of Point at v/)
    const cycle: unknown[] = []
    cycle.push(cycle)
    expect(() => assertSendable(cycle, 'v')).toThrow(/circular reference at v\[0\]/)
    expect(() => assertSendable(Promise.resolve(1), 'v')).toThrow(TypeError)
  })
})
