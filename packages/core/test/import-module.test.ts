import { describe, expect, test } from 'vitest'
import { importModule } from '../src/shared/import-module.js'

describe('importModule', () => {
  test('a bare specifier that names a file rather than a package says how to name the file, and not harrow as the importer', async () => {
    const failure = (await importModule('src/tasks.js').catch((e: unknown) => e)) as Error & { code?: string }
    expect(failure.code).toBe('ERR_MODULE_NOT_FOUND')
    expect(failure.message).toContain("cannot find module 'src/tasks.js'")
    expect(failure.message).toContain("new URL('./src/tasks.js', import.meta.url)")
    expect(failure.message).not.toContain('harrow/')
    const unknownPackage = (await importModule('no-such-package-xyz').catch((e: unknown) => e)) as Error
    expect(unknownPackage.message).toMatch(/^cannot find module 'no-such-package-xyz': it is not a package installed/)
  })
})
