import { describe, expect, test } from 'vitest'
import { boxError, unboxError } from '../src/wire/box.js'
import { RemoteActorError } from '../src/shared/errors.js'

const grandchild = { name: 'grandchild', uid: 'g' }
const child = { name: 'child', uid: 'c' }

describe('error boxing', () => {
  test('an error is boxed with its type, message, stack and fields, and unboxed as a RemoteActorError', () => {
    const error = Object.assign(new RangeError('too big'), { code: 'E_BIG', limit: 3 })
    const remote = unboxError(boxError(error, grandchild))
    expect(remote).toBeInstanceOf(RemoteActorError)
    expect(remote).toMatchObject({ boxedType: 'RangeError', remoteMessage: 'too big', actor: grandchild, src: grandchild, relayPath: [grandchild] })
    expect(remote.fields).toEqual({ code: 'E_BIG', limit: 3 })
    expect(remote.remoteStack).toContain('box.test.ts')
    expect(remote.message).toBe('RangeError: too big (in actor grandchild)')
  })

  test('a relayed error keeps its origin, grows its path and carries the previous hop as cause', () => {
    const atChild = unboxError(boxError(new TypeError('deep'), grandchild))
    const atRoot = unboxError(boxError(atChild, child))
    expect(atRoot).toMatchObject({ boxedType: 'TypeError', remoteMessage: 'deep', actor: child, src: grandchild, relayPath: [grandchild, child] })
    expect(atRoot.cause).toBeInstanceOf(RemoteActorError)
    expect(atRoot.cause).toMatchObject({ actor: grandchild, relayPath: [grandchild] })
    expect(atRoot.message).toBe('TypeError: deep (in actor grandchild → child)')
  })

  test('a hop on another host is named with it, and keeps it when relayed', () => {
    const far = { name: 'far', uid: 'f', host: 'hostB' }
    const atRoot = unboxError(boxError(unboxError(boxError(new Error('there'), far)), child))
    expect(atRoot.relayPath).toEqual([far, child])
    expect(atRoot.message).toBe('Error: there (in actor far@hostB → child)')
    expect(atRoot.stack).toContain('--- remote stack in far@hostB ---')
  })

  test('values thrown that are not errors are boxed by type', () => {
    expect(unboxError(boxError('just a string', child))).toMatchObject({ boxedType: 'string', remoteMessage: 'just a string' })
    expect(unboxError(boxError(null, child))).toMatchObject({ boxedType: 'null' })
    expect(unboxError(boxError(Object.assign(new Error('x'), { handler: () => 1 }), child)).fields).toEqual({ handler: '[unsendable: function]' })
  })
})
