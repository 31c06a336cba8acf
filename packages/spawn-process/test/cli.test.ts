import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, test } from 'vitest'

const run = promisify(execFile)
const packages = fileURLToPath(new URL('../../', import.meta.url))

// An application that installed @harrow/core and this backend, and nothing else.
const app = mkdtempSync(join(tmpdir(), 'harrow-app-'))
mkdirSync(join(app, 'node_modules', '@harrow'), { recursive: true })
symlinkSync(join(packages, 'core'), join(app, 'node_modules', '@harrow', 'core'))
symlinkSync(join(packages, 'spawn-process'), join(app, 'node_modules', '@harrow', 'spawn-process'))
afterAll(() => rmSync(app, { recursive: true, force: true }))

describe('harrow backends in an application that installed the process backend', () => {
  test('lists process as installed and supported, and the others with the reason', async () => {
    const bin = join(app, 'node_modules', '@harrow', 'core', 'bin', 'harrow.js')
    const { stdout } = await run(process.execPath, [bin, 'backends', '--json'], { cwd: app, env: { ...process.env, NODE_PATH: '' } })
    const rows = JSON.parse(stdout) as { key: string; installed: boolean; supported: boolean; version?: string; reason?: string }[]
    const { version } = JSON.parse(readFileSync(join(packages, 'spawn-process', 'package.json'), 'utf8')) as { version: string }
    expect(rows.find((r) => r.key === 'process')).toMatchObject({ installed: true, supported: true, version })
    for (const key of ['worker', 'forkserver']) {
      expect(rows.find((r) => r.key === key)).toMatchObject({
        installed: false,
        supported: false,
        reason: expect.stringContaining(`npm install @harrow/spawn-${key}`) as unknown,
      })
    }
  })
})
