import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { importModule } from '../src/shared/import-module.js'
import { runStarved } from './starved.js'

describe('importModule', () => {
  test('a bare specifier that names a file rather than a package says how to name the file, and not harrow as the importer', async () => {
    const failure = (await importModule('src/tasks.js').catch((e: unknown) => e)) as Error & { code?: string }
    expect(failure.code).toBe('ERR_MODULE_NOT_FOUND')
    expect(failure.message).toContain("cannot find module 'src/tasks.js'")
    expect(failure.message).toContain("new URL('./src/tasks.js', import.meta.url)")
    // Node's own message names harrow's importing file; the path of this checkout may well contain "harrow/" itself.
    expect(failure.message).not.toContain('imported from')
    expect(failure.message).not.toContain(fileURLToPath(new URL('../src/', import.meta.url)))
    const unknownPackage = (await importModule('no-such-package-xyz').catch((e: unknown) => e)) as Error
    expect(unknownPackage.message).toMatch(/^cannot find module 'no-such-package-xyz': it is not a package installed/)
  })

  test('a package that cannot be loaded because the process is out of file descriptors says EMFILE, not "not found"', () => {
    // Node reads a package.json it cannot open as absent: in a process with `ulimit -n 32`, the descriptors used up,
    // importing an installed package (core's msgpackr) must say what is really missing.
    const failure = runStarved<{ code: string; message: string; cause: string }>(`
      const failure = await core.importModule('msgpackr').catch((e) => e)
      process.stdout.write(JSON.stringify({ code: failure.code, message: failure.message, cause: failure.cause?.message }))
    `)
    expect(failure.code).toBe('EMFILE')
    expect(failure.message).toMatch(/^cannot import 'msgpackr': EMFILE: too many open files.*raise `ulimit -n`.*; its own error: /)
    expect(failure.cause).toBeTruthy()
  })
})
