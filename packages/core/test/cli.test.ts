import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'

const run = promisify(execFile)
const bin = fileURLToPath(new URL('../bin/harrow.js', import.meta.url))
const coreDir = fileURLToPath(new URL('..', import.meta.url))

describe('harrow CLI', () => {
  test('harrow backends --json lists every built-in key with why it is unavailable', async () => {
    const { stdout } = await run(process.execPath, [bin, 'backends', '--json'], { cwd: coreDir })
    const rows = JSON.parse(stdout) as { key: string; installed: boolean; reason?: string }[]
    expect(rows.map((r) => r.key)).toEqual(['process', 'worker', 'forkserver'])
    expect(rows.every((r) => !r.installed && r.reason?.includes('npm install'))).toBe(true)
  })

  test('harrow backends prints a table; unknown commands are a usage error', async () => {
    const { stdout } = await run(process.execPath, [bin, 'backends'], { cwd: coreDir })
    expect(stdout.split('\n')[0]).toMatch(/^KEY\s+PACKAGE\s+INSTALLED\s+SUPPORTED\s+VERSION\s+REASON$/)
    const failed = await run(process.execPath, [bin, 'frobnicate'], { cwd: coreDir }).catch((e: { code: number; stderr: string }) => e)
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown command 'frobnicate'") as unknown })
  })

  test('harrow --version prints the version, --help the usage, and an unknown option is a one-line usage error', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    expect((await run(process.execPath, [bin, '--version'], { cwd: coreDir })).stdout).toBe(`${manifest.version}\n`)
    expect((await run(process.execPath, [bin, '-v'], { cwd: coreDir })).stdout).toBe(`${manifest.version}\n`)
    expect((await run(process.execPath, [bin, '--help'], { cwd: coreDir })).stdout).toMatch(/^usage: harrow <command>[^]*--version/)
    const failed = await run(process.execPath, [bin, '--frobnicate'], { cwd: coreDir }).catch((e: { code: number; stderr: string }) => e)
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringMatching(/^harrow: Unknown option '--frobnicate'\nusage: /) as unknown })
  })
})
