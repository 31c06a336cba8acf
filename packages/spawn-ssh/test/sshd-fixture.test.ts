import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { sshdUnavailable, startSshd, type TestSshd } from '@harrow/spawn-ssh/test-sshd'

const run = promisify(execFile)
const unavailable = sshdUnavailable()

describe.skipIf(unavailable !== undefined)(`the test sshd${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let sshd: TestSshd
  beforeAll(async () => {
    sshd = await startSshd()
  })
  afterAll(async () => {
    await sshd?.stop()
  })

  test('runs a command over ssh with the private config, key and pinned host key', async () => {
    const { stdout } = await run('ssh', ['-F', sshd.configFile, '-T', '-o', 'BatchMode=yes', sshd.host, '--', 'echo', 'hello-from-sshd'])
    expect(stdout.trim()).toBe('hello-from-sshd')
  })

  test('stop() removes its directory', async () => {
    const other = await startSshd({ alias: 'other' })
    expect(existsSync(other.dir)).toBe(true)
    await other.stop()
    expect(existsSync(other.dir)).toBe(false)
  })
})
