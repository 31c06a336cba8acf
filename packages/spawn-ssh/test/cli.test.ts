import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, test } from 'vitest'
import { probeSsh } from '../src/probe.js'

const run = promisify(execFile)
const packages = fileURLToPath(new URL('../../', import.meta.url))

// An application that installed @harrow/core and this backend, and nothing else.
const app = mkdtempSync(join(tmpdir(), 'harrow-app-'))
mkdirSync(join(app, 'node_modules', '@harrow'), { recursive: true })
symlinkSync(join(packages, 'core'), join(app, 'node_modules', '@harrow', 'core'))
symlinkSync(join(packages, 'spawn-ssh'), join(app, 'node_modules', '@harrow', 'spawn-ssh'))
const emptyPath = mkdtempSync(join(tmpdir(), 'harrow-no-ssh-'))
afterAll(() => {
  rmSync(app, { recursive: true, force: true })
  rmSync(emptyPath, { recursive: true, force: true })
})

type Row = { key: string; packageName: string; installed: boolean; supported: boolean; builtin: boolean; version?: string; reason?: string }

async function backends(path: string): Promise<Row[]> {
  const bin = join(app, 'node_modules', '@harrow', 'core', 'bin', 'harrow.js')
  const { stdout } = await run(process.execPath, [bin, 'backends', '--json'], { cwd: app, env: { ...process.env, NODE_PATH: '', PATH: path } })
  return JSON.parse(stdout) as Row[]
}

describe('harrow backends in an application that installed the ssh backend', () => {
  test("lists 'ssh' as installed and supported, by its package, though it is not a built-in key", async () => {
    const { version } = JSON.parse(readFileSync(join(packages, 'spawn-ssh', 'package.json'), 'utf8')) as { version: string }
    const rows = await backends(process.env.PATH ?? '')
    expect(rows.find((r) => r.key === 'ssh')).toMatchObject({ packageName: '@harrow/spawn-ssh', installed: true, supported: true, builtin: false, version })
  })

  test("without an ssh client on PATH, 'ssh' is listed as unsupported with that reason", async () => {
    const rows = await backends(emptyPath)
    expect(rows.find((r) => r.key === 'ssh')).toMatchObject({
      installed: true,
      supported: false,
      reason: expect.stringContaining('no ssh client on PATH') as unknown,
    })
  })

  test('the probe finds ssh only on PATH', () => {
    expect(probeSsh(emptyPath)).toMatchObject({ supported: false })
    expect(probeSsh('/usr/bin:/bin')).toEqual({ supported: true })
  })
})
