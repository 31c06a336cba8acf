import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { afterAll, describe, expect, test } from 'vitest'
import { classifyRefused, refusedFlags, tsxApiFor, withoutFlags } from '../src/exec-argv.js'

function refusal(execArgv: string[]): unknown {
  try {
    void new Worker('', { eval: true, execArgv }).terminate()
    return undefined
  } catch (error) {
    return error
  }
}

describe('execArgv for worker threads', () => {
  test("Node 20 takes the flags harrow's users and vitest pass, and harrow reads which it refuses", () => {
    expect(
      refusal(['--conditions', 'development', '--require', '/dev/null', '--import', 'data:text/javascript,', '--no-warnings', '--enable-source-maps']),
    ).toBeUndefined()
    expect(refusedFlags(refusal(['--expose-gc', '--no-warnings', '--max-old-space-size=64']))).toEqual(['--expose-gc', '--max-old-space-size=64'])
    expect(refusedFlags(new Error('something else'))).toBeUndefined()
  })

  test('a refused flag is removed with its separate value', () => {
    expect(withoutFlags(['--stack-size', '900', '--no-warnings', '--expose-gc'], ['--stack-size', '--expose-gc'])).toEqual(['--no-warnings'])
    expect(withoutFlags(['--max-old-space-size=64', '--import', 'tsx'], ['--max-old-space-size=64'])).toEqual(['--import', 'tsx'])
  })

  test('refused flags the process already runs with are in effect anyway; others cannot be had', () => {
    expect(classifyRefused(['--expose-gc', '--title=x'], ['--expose-gc'])).toEqual({ inEffect: ['--expose-gc'], impossible: ['--title=x'] })
  })

  describe('tsx', () => {
    const dir = mkdtempSync(join(tmpdir(), 'harrow-tsx-'))
    const tsx = join(dir, 'node_modules', 'tsx')
    mkdirSync(join(tsx, 'dist', 'esm', 'api'), { recursive: true })
    writeFileSync(
      join(tsx, 'package.json'),
      JSON.stringify({ name: 'tsx', exports: { '.': './dist/loader.mjs', './esm/api': { import: { default: './dist/esm/api/index.mjs' } } } }),
    )
    writeFileSync(join(tsx, 'dist', 'loader.mjs'), '')
    writeFileSync(join(tsx, 'dist', 'esm', 'api', 'index.mjs'), '')
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    const api = pathToFileURL(join(tsx, 'dist', 'esm', 'api', 'index.mjs')).href

    test('--import tsx, by name or by the path of its loader, finds that tsx package’s programmatic API', () => {
      expect(tsxApiFor(['--import', 'tsx'], dir)).toBe(api)
      expect(tsxApiFor([`--import=${pathToFileURL(join(tsx, 'dist', 'loader.mjs')).href}`], dir)).toBe(api)
      expect(tsxApiFor(['--import', join(tsx, 'dist', 'loader.mjs')], '/')).toBe(api)
    })

    test('other flags and loaders are left alone', () => {
      expect(tsxApiFor(['--require', 'tsx/cjs', '--import', 'data:text/javascript,'], dir)).toBeUndefined()
      expect(tsxApiFor(['--import', 'tsx'], tmpdir())).toBeUndefined()
    })
  })
})
