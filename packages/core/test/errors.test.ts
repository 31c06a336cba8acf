import { inspect } from 'node:util'
import { describe, expect, test } from 'vitest'
import { RemoteActorError, addCallSite, captureCallSite } from '../src/shared/errors.js'

const actor = { name: 'worker-1', uid: 'u1' }

function remoteError(fields?: Record<string, unknown>): RemoteActorError {
  return new RemoteActorError({
    boxedType: 'ValidationError',
    remoteMessage: 'bad input',
    remoteStack: 'ValidationError: bad input\n    at validate (file:///app/tasks.js:3:9)',
    actor,
    src: actor,
    relayPath: [actor],
    ...(fields ? { fields } : {}),
  })
}

function harrowEntry(): ReturnType<typeof captureCallSite> {
  return captureCallSite(harrowEntry)
}

function callerInUserCode(): ReturnType<typeof captureCallSite> {
  return harrowEntry()
}

describe('RemoteActorError in a crash log', () => {
  test('util.inspect shows its fields, and the usual error without them when it has none', () => {
    const printed = inspect(remoteError({ code: 422, detail: { field: 'email' } }))
    expect(printed).toContain('ValidationError: bad input (in actor worker-1)')
    expect(printed).toContain('at validate (file:///app/tasks.js:3:9)')
    expect(printed).toMatch(/fields: \{ code: 422, detail: \{ field: 'email' \} \}/)
    expect(printed).toContain("boxedType: 'ValidationError'")
    expect(inspect(remoteError())).not.toContain('fields')
  })

  test('the call site is appended to the stack after a "called from" line, with the caller\'s frames', () => {
    const error = remoteError()
    addCallSite(error, callerInUserCode())
    const [remote, local] = (error.stack ?? '').split('    --- called from ---\n')
    expect(remote).toContain('at validate (file:///app/tasks.js:3:9)')
    expect(local).toMatch(/^ {4}at /)
    expect(local).toContain('errors.test.ts')
    expect(local).toMatch(/^ {4}at callerInUserCode /)
    expect(local).not.toContain('harrowEntry')
    expect(inspect(error)).toContain('--- called from ---')
  })

  test('Error.stackTraceLimit = 0 turns call sites off, and other errors are left alone', () => {
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    try {
      expect(harrowEntry()).toBeUndefined()
    } finally {
      Error.stackTraceLimit = limit
    }
    const other = new TypeError('x')
    const before = other.stack
    addCallSite(other, harrowEntry())
    expect(other.stack).toBe(before)
  })
})
