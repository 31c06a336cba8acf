import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, test } from 'vitest'

const run = promisify(execFile)
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
const packages = fileURLToPath(new URL('../../', import.meta.url))

// An application that installed @harrow/core and this backend, and nothing else.
const app = mkdtempSync(join(tmpdir(), 'harrow-app-'))
mkdirSync(join(app, 'node_modules', '@harrow'), { recursive: true })
symlinkSync(join(packages, 'core'), join(app, 'node_modules', '@harrow', 'core'))
symlinkSync(join(packages, 'spawn-worker'), join(app, 'node_modules', '@harrow', 'spawn-worker'))
afterAll(() => rmSync(app, { recursive: true, force: true }))

describe('harrow backends in an application that installed the worker backend', () => {
  test('lists worker as installed and supported, and the others with the reason', async () => {
    const bin = join(app, 'node_modules', '@harrow', 'core', 'bin', 'harrow.js')
    const { stdout } = await run(process.execPath, [bin, 'backends', '--json'], { cwd: app, env: { ...process.env, NODE_PATH: '' } })
    const rows = JSON.parse(stdout) as { key: string; installed: boolean; supported: boolean; version?: string; reason?: string }[]
    expect(rows.find((r) => r.key === 'worker')).toMatchObject({ installed: true, supported: true, version })
    for (const key of ['process', 'forkserver']) {
      expect(rows.find((r) => r.key === key)).toMatchObject({
        installed: false,
        supported: false,
        reason: expect.stringContaining(`npm install @harrow/spawn-${key}`) as unknown,
      })
    }
  })
})
