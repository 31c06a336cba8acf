import { describe, expect, test } from 'vitest'
import { ProtocolError } from '../src/shared/errors.js'
import { Op, TaskKind, asChildMessage, asParentMessage } from '../src/wire/protocol.js'

const box = { type: 'Error', message: 'm', stack: '', src: { name: 'a', uid: 'u' }, relayPath: [{ name: 'a', uid: 'u' }] }

describe('protocol', () => {
  test('well-formed messages pass', () => {
    expect(asChildMessage([Op.Hello, 1, 10, 0])).toEqual([Op.Hello, 1, 10, 0])
    expect(asChildMessage([Op.Return, 3, { any: 'value' }])[0]).toBe(Op.Return)
    expect(asChildMessage([Op.Items, 3, [1, 'two', null]])[0]).toBe(Op.Items)
    expect(asChildMessage([Op.Error, 0, box])[0]).toBe(Op.Error)
    expect(asChildMessage([Op.Error, 0, { ...box, relayPath: [{ name: 'a', uid: 'u', host: 'hostB' }] }])[0]).toBe(Op.Error)
    expect(asParentMessage([Op.Start, 1, TaskKind.Call, [1, 'file:///m.js', 'f'], []])[0]).toBe(Op.Start)
    expect(asParentMessage([Op.Start, 2, TaskKind.Call, 1, [3]])[0]).toBe(Op.Start)
    expect(asParentMessage([Op.CancelActor])[0]).toBe(Op.CancelActor)
    expect(asChildMessage([Op.Blocked, 2])).toEqual([Op.Blocked, 2])
    expect(asParentMessage([Op.Blocked, 2])).toEqual([Op.Blocked, 2])
  })

  test.each([
    ['not an array', { op: 1 }],
    ['an unknown opcode', [99, 1]],
    ['a parent-only message', [Op.Start, 1, 0, 1, []]],
    ['a zero call id', [Op.Return, 0, 1]],
    ['a fractional call id', [Op.Yield, 1.5, 1]],
    ['items that are not an array', [Op.Items, 1, 'x']],
    ['no items', [Op.Items, 1, []]],
    ['a negative credit', [Op.Credit, 1, -4]],
    ['an error without a box', [Op.Error, 1, { message: 'x' }]],
    ['a hop whose host is not a string', [Op.Error, 1, { ...box, src: { name: 'a', uid: 'u', host: 7 } }]],
    ['extra fields', [Op.Ready, 1]],
    ['a blocked task without an id', [Op.Blocked]],
    ['a blocked task with a count', [Op.Blocked, 1, 5]],
  ])('a child message with %s is malformed', (_, raw) => {
    expect(() => asChildMessage(raw)).toThrow(ProtocolError)
  })

  test.each([
    ['a child-only message', [Op.Hello, 1, 1, 1]],
    ['an unknown task kind', [Op.Start, 1, 7, 1, []]],
    ['a function named without an id', [Op.Start, 1, TaskKind.Call, ['m', 'f'], []]],
    ['args that are not an array', [Op.Start, 1, TaskKind.Call, 1, 'x']],
    ['a spec without identity', [Op.Spec, { enableModules: [] }]],
  ])('a parent message with %s is malformed', (_, raw) => {
    expect(() => asParentMessage(raw)).toThrow(ProtocolError)
  })
})
