import { describe, expect, test } from 'vitest'
import { ref, toFnRef } from '../src/shared/ref.js'

describe('ref', () => {
  test('URLs and absolute paths become normalised file: URLs; bare specifiers stay', () => {
    expect(ref(new URL('file:///app/tasks.js'), 'add')).toEqual({ module: 'file:///app/tasks.js', name: 'add' })
    expect(ref('/app/lib/../tasks.js', 'add').module).toBe('file:///app/tasks.js')
    expect(ref('file:///app/x/../tasks.js', 'add').module).toBe('file:///app/tasks.js')
    expect(ref('some-package/tasks', 'add').module).toBe('some-package/tasks')
  })

  test('relative paths and empty names are refused with how to fix them', () => {
    expect(() => ref('./tasks.js', 'add')).toThrow(/new URL\('\.\/tasks\.js', import\.meta\.url\)/)
    expect(() => ref('/app/tasks.js', '')).toThrow(TypeError)
    expect(() => toFnRef({ module: 1, name: 'x' } as never)).toThrow(/expected a FnRef/)
  })
})
