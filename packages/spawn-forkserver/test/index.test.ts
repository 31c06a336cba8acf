import '@harrow/spawn-forkserver'
import { readFileSync } from 'node:fs'
import { listSpawnMethods } from '@harrow/core'
import { describe, expect, test } from 'vitest'

describe("the 'forkserver' registration", () => {
  test('is listed as installed and supported here', async () => {
    const row = (await listSpawnMethods()).find((r) => r.key === 'forkserver')
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    expect(row).toMatchObject({ installed: true, supported: true, packageName: '@harrow/spawn-forkserver', version })
  })

  test('on Windows it stays listed, unsupported, with the reason', async () => {
    const platform = Object.getOwnPropertyDescriptor(process, 'platform') as PropertyDescriptor
    Object.defineProperty(process, 'platform', { ...platform, value: 'win32' })
    try {
      const row = (await listSpawnMethods()).find((r) => r.key === 'forkserver')
      expect(row).toMatchObject({ installed: true, supported: false, reason: expect.stringMatching(/Unix domain sockets.*POSIX signals/) as unknown })
    } finally {
      Object.defineProperty(process, 'platform', platform)
    }
  })
})
