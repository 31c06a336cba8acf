import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import type { SpawnBackend } from '../src/shared/contracts.js'
import { SpawnMethodUnavailableError } from '../src/shared/errors.js'
import { getStartMethod, listSpawnMethods, loadSpawnBackend, registerSpawnMethod, setDefaultStartMethod, trySetStartMethod } from '../src/shared/registry.js'
import { SPAWN_METHODS } from '../src/shared/spawn-methods.js'

declare module '../src/shared/spawn-methods.js' {
  interface CustomSpawnMethods {
    fake: true
    broken: true
    unsupported: true
  }
}

const fakeBackend: SpawnBackend = { key: 'fake', spawn: () => Promise.reject(new Error('not for spawning')) }

// Look for backends only from this package: the test runner's own location
// (inside pnpm's store) would see every package of the workspace.
const realArgv1 = process.argv[1]
beforeEach(() => {
  process.argv[1] = fileURLToPath(import.meta.url)
})

afterEach(() => {
  process.argv[1] = realArgv1 as string
  setDefaultStartMethod(undefined as unknown as string)
  vi.unstubAllEnvs()
})

describe('registry', () => {
  test('every built-in key is listed even when its package is missing, with how to install it', async () => {
    // @harrow/core does not depend on any backend, so from here none is installed.
    const rows = await listSpawnMethods()
    expect(rows.map((r) => r.key).slice(0, 3)).toEqual([...SPAWN_METHODS])
    for (const row of rows.filter((r) => r.builtin)) {
      expect(row).toMatchObject({ installed: false, supported: false, packageName: `@harrow/spawn-${row.key}` })
      expect(row.reason).toContain(`npm install @harrow/spawn-${row.key}`)
    }
  })

  test('a registered backend is listed with its probe result, and probing never loads it', async () => {
    const load = vi.fn(() => Promise.resolve(fakeBackend))
    registerSpawnMethod('fake', { packageName: 'harrow-spawn-fake', version: '1.2.3', probe: () => ({ supported: true }), load })
    registerSpawnMethod('unsupported', { packageName: 'harrow-spawn-unsupported', probe: () => ({ supported: false, reason: 'needs Node 99' }), load })
    const rows = await listSpawnMethods()
    expect(rows.find((r) => r.key === 'fake')).toMatchObject({ installed: true, supported: true, version: '1.2.3', builtin: false })
    expect(rows.find((r) => r.key === 'unsupported')).toMatchObject({ installed: true, supported: false, reason: 'needs Node 99' })
    expect(load).not.toHaveBeenCalled()
    expect(await loadSpawnBackend('fake')).toBe(fakeBackend)
    expect(await loadSpawnBackend('fake')).toBe(fakeBackend)
    expect(load).toHaveBeenCalledTimes(1)
  })

  test('an installed first-party backend outside the built-in keys (@harrow/spawn-<key>) is listed and found by its package name', async () => {
    const app = mkdtempSync(join(tmpdir(), 'harrow-first-party-'))
    try {
      const dir = join(app, 'node_modules', '@harrow', 'spawn-fakeparty')
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@harrow/spawn-fakeparty', version: '9.9.9', type: 'module', exports: './index.js' }))
      // It loads, but registers nothing: the row then says so, which shows core found and imported it.
      writeFileSync(join(dir, 'index.js'), 'export {}\n')
      process.argv[1] = join(app, 'main.js')
      const rows = await listSpawnMethods()
      const row = rows.find((r) => r.key === 'fakeparty')
      expect(row).toMatchObject({ packageName: '@harrow/spawn-fakeparty', installed: true, supported: false, builtin: false })
      expect(row?.reason).toContain("did not register spawn method 'fakeparty'")
    } finally {
      rmSync(app, { recursive: true, force: true })
    }
  })

  test('trySetStartMethod refuses unknown, missing and unsupported keys and leaves the method unchanged', async () => {
    registerSpawnMethod('unsupported', {
      packageName: 'harrow-spawn-unsupported',
      probe: () => ({ supported: false, reason: 'needs Node 99' }),
      load: () => Promise.resolve(fakeBackend),
    })
    expect(getStartMethod()).toBe('process')
    const unknown = await trySetStartMethod('nope' as 'process').catch((e: unknown) => e)
    expect(unknown).toBeInstanceOf(SpawnMethodUnavailableError)
    expect(unknown).toMatchObject({ key: 'nope', reason: expect.stringContaining('known methods: process, worker, forkserver') as unknown })
    await expect(trySetStartMethod('worker')).rejects.toMatchObject({ key: 'worker', reason: expect.stringContaining('not installed') as unknown })
    await expect(trySetStartMethod('unsupported')).rejects.toMatchObject({ reason: 'needs Node 99' })
    expect(getStartMethod()).toBe('process')
  })

  test('the default start method comes from HARROW_SPAWN_METHOD, then trySetStartMethod', async () => {
    vi.stubEnv('HARROW_SPAWN_METHOD', 'worker')
    expect(getStartMethod()).toBe('worker')
    registerSpawnMethod('fake', { packageName: 'harrow-spawn-fake', probe: () => ({ supported: true }), load: () => Promise.resolve(fakeBackend) })
    await trySetStartMethod('fake')
    expect(getStartMethod()).toBe('fake')
  })

  test('a registration or backend of the wrong shape is refused with what was expected', async () => {
    expect(() => registerSpawnMethod('broken', { packageName: 'x' } as never)).toThrow(/expected \{ packageName: string, probe\(\)/)
    registerSpawnMethod('broken', {
      packageName: 'harrow-spawn-broken',
      probe: () => ({ supported: true }),
      load: () => Promise.resolve({ key: 'broken' } as never),
    })
    await expect(loadSpawnBackend('broken')).rejects.toMatchObject({
      name: 'SpawnMethodUnavailableError',
      reason: expect.stringContaining('did not return a SpawnBackend') as unknown,
    })
  })
})
