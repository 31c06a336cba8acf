import { describe, expect, test } from 'vitest'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MAX_SOCKET_PATH, type SpawnRequest } from '@harrow/core/backend'
import { childCommand, remoteEnv } from '../src/backend.js'
import { CONTROL_PATH_TAIL, remoteCommand, shellQuote, sshPrefix } from '../src/command.js'
import { decodeConfig, encodeConfig, readConfig, type RemoteConfig } from '../src/spawn-config.js'
import { mapPath, pathMapUrls } from '../src/path-map.js'
import { explainExit } from '../src/ssh-handle.js'

function request(name: string, env: Record<string, string>): SpawnRequest {
  return { name, uid: 'u', spawnMethod: 'ssh', execArgv: [], env: { ...process.env, ...env }, cwd: undefined, options: {}, maxFrameSize: 1024 }
}

describe('the ssh command line', () => {
  test('BatchMode comes first, before the user options, and host key checking is never touched', () => {
    const argv = sshPrefix({ host: 'hostB', options: ['BatchMode=no', 'Compression=yes'], port: 2222, user: 'me', identityFile: '/k', configFile: '/c' })
    expect(argv.slice(0, 6)).toEqual(['ssh', '-T', '-e', 'none', '-o', 'BatchMode=yes'])
    expect(argv.indexOf('BatchMode=no')).toBeGreaterThan(argv.indexOf('BatchMode=yes'))
    expect(argv).toEqual(expect.arrayContaining(['-F', '/c', '-p', '2222', '-l', 'me', '-i', '/k', 'ConnectTimeout=10']))
    expect(argv.join(' ')).not.toMatch(/StrictHostKeyChecking|UserKnownHostsFile/)
    expect(argv.at(-1)).toBe('hostB')
  })

  test('connection sharing uses a control socket in a private directory', () => {
    const argv = sshPrefix({ host: 'hostB', shareConnection: true })
    expect(argv).toContain('ControlMaster=auto')
    expect(argv.find((a) => a.startsWith('ControlPath='))).toMatch(/hssh-[^/]+\/%C$/)
  })

  test('the remote command is one shell-quoted exec line', () => {
    const command = remoteCommand({ host: 'h' }, ['/opt/node dir/node', '/x/child.js', "it's"])
    expect(command.slice(-2)).toEqual(['--', `exec '/opt/node dir/node' /x/child.js 'it'\\''s' 3>&1 1>&2`])
    expect(shellQuote('plain-word_1.2/x')).toBe('plain-word_1.2/x')
  })

  test('a launcher replaces ssh and must return a command', () => {
    expect(remoteCommand({ host: 'h', launcher: (argv) => ['docker', 'exec', '-i', 'box', ...argv] }, ['node', 'c.js'])).toEqual([
      'docker',
      'exec',
      '-i',
      'box',
      'node',
      'c.js',
    ])
    expect(() => remoteCommand({ host: 'h', launcher: () => [] }, ['node'])).toThrow(TypeError)
  })
})

describe('what travels to the remote host', () => {
  test('only variables the actor changed or removed, and harrow settings, are sent', () => {
    const local = { PATH: '/usr/bin', HOME: '/root', HARROW_LOG: 'debug', GONE: 'x' }
    expect(remoteEnv({ PATH: '/usr/bin', HOME: '/root', HARROW_LOG: 'debug', LEVEL: '3' }, local)).toEqual({ HARROW_LOG: 'debug', LEVEL: '3', GONE: null })
  })

  test('the spawn config travels on stdin, read exactly, and never on the command line', () => {
    const config: RemoteConfig = { name: 'a b', maxFrameSize: 1, versions: { core: '1', ssh: '2', protocol: 1 }, env: { SECRET: '\'"$' }, heartbeatTimeout: 5 }
    const { argv, command, config: sent } = childCommand(request('a b', { SECRET: 'hunter2' }), { host: 'hostB' })
    expect(argv.at(-1)).toBe('a b')
    expect(command.join(' ')).not.toContain('hunter2')
    expect(decodeConfig(sent.subarray(4)).env).toMatchObject({ SECRET: 'hunter2' })
    // The frames that follow the config stay in the pipe for the channel.
    const dir = mkdtempSync(join(tmpdir(), 'harrow-config-'))
    try {
      const file = join(dir, 'stdin')
      writeFileSync(file, Buffer.concat([encodeConfig(config), Buffer.from('frames')]))
      const fd = openSync(file, 'r')
      try {
        expect(readConfig(fd)).toEqual(config)
        expect(readFileSync(fd, 'utf8')).toBe('frames')
      } finally {
        closeSync(fd)
      }
      writeFileSync(file, encodeConfig(config).subarray(0, 9))
      const short = openSync(file, 'r')
      try {
        expect(() => readConfig(short)).toThrow(/the channel ended after 5 of \d+ bytes of the spawn config/)
      } finally {
        closeSync(short)
      }
    } finally {
      rmSync(dir, { recursive: true })
    }
    expect(() => decodeConfig(Buffer.from('{}'))).toThrow(TypeError)
  })

  test('the path map rewrites paths under the longest matching local root', () => {
    const urls = pathMapUrls({ '/home/me/app': '/srv/app', '/home/me/app/vendor': '/opt/vendor' })
    expect(mapPath('/home/me/app/src/a.js', urls)).toBe('/srv/app/src/a.js')
    expect(mapPath('/home/me/app/vendor/b.js', urls)).toBe('/opt/vendor/b.js')
    expect(mapPath('/home/me/application/c.js', urls)).toBe('/home/me/application/c.js')
    expect(() => pathMapUrls({ relative: '/x' })).toThrow(TypeError)
  })

  test("exits are explained in the user's terms", () => {
    const init = { host: 'hostB', node: 'node', entry: '/x/child.js', isSsh: true }
    expect(explainExit(255, ['ssh: connect to host hostB port 22: Connection timed out'], init)).toBe(
      'ssh: connect to host hostB port 22: Connection timed out',
    )
    expect(explainExit(255, ['Permission denied (publickey).'], init)).toBe('ssh: Permission denied (publickey).')
    expect(explainExit(127, ['bash: line 1: exec: node: not found'], init)).toMatch(/remote node executable 'node' was not found on hostB/)
    expect(explainExit(0, [], init)).toBeUndefined()
  })
})

describe('the private directory for control sockets', () => {
  test('is named after its process, removed at exit, and sweeps those of processes killed before they removed theirs', async () => {
    const { spawnSync } = await import('node:child_process')
    const { existsSync, mkdirSync } = await import('node:fs')
    // Short, so that the control directory stays in it (a deeper one moves to /tmp: see the launch test).
    const tmp = mkdtempSync('/tmp/hs-')
    try {
      expect(tmp.length + CONTROL_PATH_TAIL).toBeLessThanOrEqual(MAX_SOCKET_PATH)
      // A process that is gone (it ran and exited), and one that runs (this one).
      const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout
      const stale = join(tmp, `hssh-${gone}-aaaaaa`)
      const live = join(tmp, `hssh-${process.pid}-bbbbbb`)
      mkdirSync(stale)
      mkdirSync(live)
      writeFileSync(join(stale, 'a-12345678'), '')
      const script = `import('${new URL('../src/command.ts', import.meta.url).href}').then((m) => process.stdout.write(m.privatePath('x')))`
      const made = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), '-e', script], {
        encoding: 'utf8',
        env: { ...process.env, TMPDIR: tmp },
      })
      expect(made.stderr).toBe('')
      expect(made.stdout).toMatch(new RegExp(`^${tmp}/hssh-${made.pid}-[^/]+/x$`))
      expect(existsSync(stale)).toBe(false)
      expect(existsSync(live)).toBe(true)
      // Its own directory went with it.
      expect(existsSync(join(made.stdout, '..'))).toBe(false)
    } finally {
      rmSync(tmp, { recursive: true, force: true })
    }
  })
})
