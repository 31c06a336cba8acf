// The ssh handle's signals: on the channel while it is open, else through a kill command run by the runner.
import { spawn } from 'node:child_process'
import { describe, expect, test } from 'vitest'
import { frameSignal, signalFrame } from '../src/control-frames.js'
import { PID_LINE } from '../src/spawn-config.js'
import { SshClientHandle } from '../src/ssh-handle.js'
import { isAlive, waitFor } from './fixtures/processes.js'

/** A stand-in for an ssh session: a local process that reports its pid as the remote child does, then waits. */
function fakeSession(): ReturnType<typeof spawn> {
  const script = `process.stderr.write(${JSON.stringify(PID_LINE)} + process.pid + '\\n'); setInterval(() => {}, 1000)`
  return spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'pipe'] })
}

describe('signals to a remote actor', () => {
  test('signal frames are two bytes no protocol frame starts with, and read back as their signal', () => {
    expect(frameSignal(signalFrame('SIGKILL'))).toBe('SIGKILL')
    expect(frameSignal(signalFrame('SIGTERM'))).toBe('SIGTERM')
    // A msgpack array (every protocol frame) never starts with 0xc1.
    expect(frameSignal(new Uint8Array([0x92, 0x01]))).toBeUndefined()
  })

  test('while the channel is open, kill() is a signal frame and runs no second command', async () => {
    const session = fakeSession()
    const sent: string[] = []
    const commands: string[][] = []
    const handle = new SshClientHandle(session, {
      host: 'hostB',
      node: 'node',
      entry: '/x/child.js',
      isSsh: true,
      runner: (argv) => (commands.push(argv), ['true']),
      channelSignal: (signal) => (sent.push(signal), session.kill(signal)),
    })
    expect(await waitFor(() => handle.remotePid !== undefined, 5000)).toBe(true)
    handle.kill()
    expect(await handle.wait()).toMatchObject({ signal: 'SIGKILL' })
    expect(sent).toEqual(['SIGKILL'])
    expect(commands).toEqual([])
  })

  test('once the channel is closed, kill() runs `kill -KILL <pid>` through the runner, on the remote pid', async () => {
    const session = fakeSession()
    const commands: string[][] = []
    const handle = new SshClientHandle(session, {
      host: 'hostB',
      node: 'node',
      entry: '/x/child.js',
      isSsh: true,
      // The "remote host" is this one: the kill runs locally.
      runner: (argv) => (commands.push(argv), ['sh', '-c', 'exec "$@"', 'runner', ...argv]),
      channelSignal: () => false,
    })
    expect(await waitFor(() => handle.remotePid !== undefined, 5000)).toBe(true)
    const pid = handle.remotePid as number
    handle.kill()
    expect(await handle.wait()).toMatchObject({ signal: 'SIGKILL' })
    expect(commands).toEqual([['kill', '-KILL', String(pid)]])
    expect(await waitFor(() => !isAlive(pid), 2000)).toBe(true)
  })
})
