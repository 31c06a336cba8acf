import '@harrow/spawn-worker'
import { listSpawnMethods, registerSpawnMethod, SpawnMethodUnavailableError, trySetStartMethod } from '@harrow/core'
import { createRequire } from 'node:module'
import { describe, expect, test } from 'vitest'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }
import { probeWorkerThreads } from '../src/probe.js'

describe('the worker probe', () => {
  test('supports this runtime, and the registry lists worker as installed and supported', async () => {
    expect(probeWorkerThreads()).toEqual({ supported: true })
    expect((await listSpawnMethods()).find((row) => row.key === 'worker')).toMatchObject({
      installed: true,
      supported: true,
      packageName: '@harrow/spawn-worker',
      version,
    })
  })

  test('is honest on a runtime without worker_threads: unsupported, with the reason', () => {
    const missing = probeWorkerThreads(() => {
      throw new Error("No such built-in module: 'node:worker_threads'")
    })
    expect(missing).toEqual({ supported: false, reason: expect.stringContaining('no node:worker_threads') as unknown })
    expect(probeWorkerThreads(() => ({}))).toMatchObject({ supported: false, reason: expect.stringContaining('no Worker') as unknown })
  })

  // Last in this file: it replaces the registration for the rest of the file's process.
  test('an unsupported runtime keeps the key listed, with the reason, and refuses to use it', async () => {
    const reason = probeWorkerThreads(() => {
      throw new Error('no threads here')
    })
    registerSpawnMethod('worker', {
      packageName: '@harrow/spawn-worker',
      probe: () => reason,
      load: () => Promise.reject(new Error('must not be loaded')),
    })
    const row = (await listSpawnMethods()).find((r) => r.key === 'worker')
    expect(row).toMatchObject({ installed: true, supported: false, reason: expect.stringContaining('no node:worker_threads (no threads here)') as unknown })
    await expect(trySetStartMethod('worker')).rejects.toBeInstanceOf(SpawnMethodUnavailableError)
  })
})
