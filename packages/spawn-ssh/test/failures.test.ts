// The failures a user meets when starting an actor on another host: each is a prompt ActorFailure saying why, never a hang or a prompt.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ActorFailure, withNursery, type ActorOptions } from '@harrow/core'
import '@harrow/spawn-ssh'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { sshdUnavailable, startSshd, type TestSshd } from '@harrow/spawn-ssh/test-sshd'

const unavailable = sshdUnavailable()
const packageRoot = fileURLToPath(new URL('..', import.meta.url))
/** Generous for loopback: a failure must come from ssh's answer, not from a timeout. */
const PROMPT = 5000

async function startFailure(options: ActorOptions): Promise<{ error: unknown; ms: number }> {
  const started = performance.now()
  const error = await withNursery((nursery) => nursery.startActor('far', options), { spawnMethod: 'ssh' }).then(
    () => new Error('startActor did not fail'),
    (e: unknown) => e,
  )
  return { error, ms: performance.now() - started }
}

describe.skipIf(unavailable !== undefined)(`failures starting an ssh actor${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let sshd: TestSshd
  let scratch: string
  beforeAll(async () => {
    sshd = await startSshd()
    scratch = mkdtempSync(join(tmpdir(), 'harrow-ssh-failures-'))
  })
  afterAll(async () => {
    await sshd?.stop()
    rmSync(scratch, { recursive: true, force: true })
  })
  const ssh = () => ({ configFile: sshd.configFile, node: process.execPath })

  test('a host that refuses the connection: ActorFailure with ssh\'s "Connection refused"', async () => {
    const { error, ms } = await startFailure({ backend: { host: '127.0.0.1', ssh: { ...ssh(), port: 1 } } })
    expect(error).toBeInstanceOf(ActorFailure)
    expect(error).toMatchObject({ phase: 'boot', exitCode: 255 })
    expect((error as Error).message).toBe("actor 'far' exited with code 255 during boot: ssh: connect to host 127.0.0.1 port 1: Connection refused")
    expect(ms).toBeLessThan(PROMPT)
  })

  test('a key the host does not accept: ActorFailure with ssh\'s "Permission denied (publickey)"', async () => {
    const otherKey = join(scratch, 'unknown_key')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey], { stdio: 'ignore' })
    // A client config like the fixture's with only this key in it (IdentityFile accumulates, so -i alone would add it).
    const config = join(scratch, 'ssh_config_unknown_key')
    writeFileSync(config, readFileSync(sshd.configFile, 'utf8').replace(sshd.identityFile, otherKey))
    const { error, ms } = await startFailure({ backend: { host: sshd.host, ssh: { configFile: config, node: process.execPath } } })
    expect(error).toBeInstanceOf(ActorFailure)
    expect((error as Error).message).toMatch(/during boot: ssh: .*Permission denied \(publickey\)/)
    expect(ms).toBeLessThan(PROMPT)
  })

  test('a host whose key changed: ActorFailure with ssh\'s "Host key verification failed", and checking stays on', async () => {
    const wrongKey = join(scratch, 'wrong_host_key')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey], { stdio: 'ignore' })
    const knownHosts = join(scratch, 'known_hosts_changed')
    writeFileSync(knownHosts, `[${sshd.address}]:${sshd.port} ${readFileSync(`${wrongKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`)
    const { error, ms } = await startFailure({ backend: { host: sshd.host, ssh: { ...ssh(), options: [`UserKnownHostsFile=${knownHosts}`] } } })
    expect(error).toBeInstanceOf(ActorFailure)
    expect((error as Error).message).toMatch(/during boot: ssh: Host key verification failed\./)
    expect(ms).toBeLessThan(PROMPT)
  })

  test('a host that asks for a password: no prompt, ActorFailure with ssh\'s "Permission denied (password)"', async () => {
    const passwordOnly = await startSshd({
      alias: 'password-only',
      sshdConfig: ['PasswordAuthentication yes', 'PubkeyAuthentication no', 'PermitRootLogin yes'],
    })
    try {
      const { error, ms } = await startFailure({ backend: { host: passwordOnly.host, ssh: { configFile: passwordOnly.configFile, node: process.execPath } } })
      expect(error).toBeInstanceOf(ActorFailure)
      expect((error as Error).message).toMatch(/during boot: ssh: .*Permission denied \(password\)/)
      expect(ms).toBeLessThan(PROMPT)
    } finally {
      await passwordOnly.stop()
    }
  })

  test('a host without the node executable: ActorFailure saying which executable is missing there', async () => {
    const { error } = await startFailure({ backend: { host: sshd.host, ssh: { ...ssh(), node: '/opt/no-such-node/bin/node' } } })
    expect(error).toBeInstanceOf(ActorFailure)
    expect(error).toMatchObject({ exitCode: 127 })
    expect((error as Error).message).toContain("the remote node executable '/opt/no-such-node/bin/node' was not found on harrow-test")
  })

  test('a host without harrow: ActorFailure saying the child entry is missing there', async () => {
    const nowhere = join(scratch, 'not-installed')
    const { error } = await startFailure({ backend: { host: sshd.host, ssh: { ...ssh(), pathMap: { [packageRoot]: nowhere } } } })
    expect(error).toBeInstanceOf(ActorFailure)
    expect((error as Error).message).toContain(`harrow (@harrow/spawn-ssh) is not installed on harrow-test: ${join(nowhere, 'dist', 'child.js')} is missing`)
  })

  test('a host with another harrow version: ActorFailure naming the versions on both sides', async () => {
    // A copy of this package that says it is another version, beside the same core.
    const other = join(scratch, 'other-version')
    cpSync(join(packageRoot, 'dist'), join(other, 'dist'), { recursive: true })
    const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }
    writeFileSync(join(other, 'package.json'), JSON.stringify({ ...manifest, version: '0.0.0-other' }))
    mkdirSync(join(other, 'node_modules', '@harrow'), { recursive: true })
    symlinkSync(join(packageRoot, '..', 'core'), join(other, 'node_modules', '@harrow', 'core'))
    const { error } = await startFailure({ backend: { host: sshd.host, ssh: { ...ssh(), pathMap: { [packageRoot]: other } } } })
    expect(error).toBeInstanceOf(ActorFailure)
    expect((error as Error).message).toContain(`@harrow/spawn-ssh ${manifest.version}`)
    expect((error as Error).message).toContain('@harrow/spawn-ssh 0.0.0-other')
    expect((error as Error).message).toMatch(/on harrow-test: harrow versions differ: the parent has @harrow\/core [^,]+, @harrow\/spawn-ssh/)
  })
})
