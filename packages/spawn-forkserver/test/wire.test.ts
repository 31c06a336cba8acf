import { describe, expect, test } from 'vitest'
import { MessageReader, WireError, encodeMessage, isActorRequest, isPoolConfig } from '../src/shared/wire.js'

describe('the forkserver wire format', () => {
  test('messages split across chunks or sharing one come out whole and in order, with what follows kept', () => {
    const reader = new MessageReader()
    const bytes = Buffer.concat([encodeMessage({ op: 'a' }), encodeMessage({ op: 'b', n: 1 }), Buffer.from([9, 9])])
    expect(reader.push(bytes.subarray(0, 5))).toEqual([])
    expect(reader.push(bytes.subarray(5))).toEqual([{ op: 'a' }, { op: 'b', n: 1 }])
    expect(reader.takeRest()).toEqual(Buffer.from([9, 9]))
  })

  test('an oversized length prefix, invalid JSON or a non-object is a WireError', () => {
    const header = Buffer.alloc(4)
    header.writeUInt32BE(8 * 1024 * 1024)
    expect(() => new MessageReader().push(header)).toThrow(WireError)
    const junk = Buffer.from('{no')
    const prefix = Buffer.alloc(4)
    prefix.writeUInt32BE(junk.length)
    expect(() => new MessageReader().push(Buffer.concat([prefix, junk]))).toThrow(/not valid JSON/)
    expect(() => new MessageReader().push(encodeMessage([1, 2]))).toThrow(/not a JSON object/)
  })

  test('requests and configurations are checked field by field', () => {
    const actor = { name: 'a', execArgv: [], env: { A: '1' }, cwd: '/', maxFrameSize: 1024 }
    expect(isActorRequest(actor)).toBe(true)
    expect(isActorRequest({ ...actor, env: { A: 1 } })).toBe(false)
    expect(isActorRequest({ ...actor, maxFrameSize: 0 })).toBe(false)
    expect(isPoolConfig({ poolSize: 2, preload: [], execArgv: [] })).toBe(true)
    expect(isPoolConfig({ poolSize: -1, preload: [], execArgv: [] })).toBe(false)
  })
})
