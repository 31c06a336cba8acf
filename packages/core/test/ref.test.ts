import { describe, expect, test } from 'vitest'
import { ref, refs, toFnRef } from '../src/shared/ref.js'

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

  test('refs() names each export by property, with the module normalised once', () => {
    const tasks = refs<{ add(a: number, b: number): number; count(n: number): AsyncGenerator<number> }>('/app/lib/../tasks.js')
    expect(tasks.add).toEqual({ module: 'file:///app/tasks.js', name: 'add' })
    expect(tasks.count).toEqual({ module: 'file:///app/tasks.js', name: 'count' })
    expect(tasks.add).toBe(tasks.add)
    // Not thenable: an async function may return it.
    expect((tasks as unknown as { then?: unknown }).then).toBeUndefined()
    expect(() => refs('./tasks.js')).toThrow(/new URL/)
  })
})
