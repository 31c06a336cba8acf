// The ssh handle's signals: on the channel while it is open and the actor's watchdog reads it, else through a kill command run by the runner.
import { spawn } from 'node:child_process'
import { describe, expect, test } from 'vitest'
import { frameSignal, signalFrame } from '../src/control-frames.js'
import { PID_LINE, WATCH_LINE } from '../src/spawn-config.js'
import { SshClientHandle, type SshHandleInit } from '../src/ssh-handle.js'
import { isAlive, waitFor } from './fixtures/processes.js'

/** A stand-in for an ssh session: a local process that reports its pid (and, `watching`, its watchdog) as the remote child does, then waits. */
function fakeSession(watching: boolean, output = ''): ReturnType<typeof spawn> {
  // The watch line first, in the same write: once the handle knows the pid, it has read that line too. `output` is
  // what the actor printed just before it, without ending its line.
  const watch = watching ? `${JSON.stringify(output + WATCH_LINE)} + '\\n' + ` : ''
  const script = `process.stderr.write(${watch}${JSON.stringify(PID_LINE)} + process.pid + '\\n'); setInterval(() => {}, 1000)`
  return spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'pipe'] })
}

/** A handle on `session` for an actor on "hostB", signalled through `channelSignal` or `runner`. */
function handleOn(session: ReturnType<typeof spawn>, init: Pick<SshHandleInit, 'runner' | 'channelSignal'>): SshClientHandle {
  return new SshClientHandle(session, { host: 'hostB', node: 'node', entry: '/x/child.js', isSsh: true, ...init })
}

describe('signals to a remote actor', () => {
  test('signal frames are two bytes no protocol frame starts with, and read back as their signal', () => {
    expect(frameSignal(signalFrame('SIGKILL'))).toBe('SIGKILL')
    expect(frameSignal(signalFrame('SIGTERM'))).toBe('SIGTERM')
    // A msgpack array (every protocol frame) never starts with 0xc1.
    expect(frameSignal(new Uint8Array([0x92, 0x01]))).toBeUndefined()
  })

  test.each([
    ['on a line of its own', ''],
    ['after output that did not end its line', 'output without a newline'],
  ])(
    "while the channel is open and the actor's watchdog reads it (saying so %s), kill() is a signal frame and runs no second command",
    async (_how, output) => {
      const session = fakeSession(true, output)
      const sent: string[] = []
      const commands: string[][] = []
      const handle = handleOn(session, {
        runner: (argv) => (commands.push(argv), ['true']),
        channelSignal: (signal) => (sent.push(signal), session.kill(signal)),
      })
      expect(await waitFor(() => handle.remotePid !== undefined, 5000)).toBe(true)
      handle.kill()
      expect(await handle.wait()).toMatchObject({ signal: 'SIGKILL' })
      expect(sent).toEqual(['SIGKILL'])
      expect(commands).toEqual([])
    },
  )

  test('once the channel is closed, kill() runs `kill -KILL <pid>` through the runner, on the remote pid', async () => {
    const session = fakeSession(true)
    const commands: string[][] = []
    const handle = handleOn(session, {
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

  test("before the actor's watchdog reads the channel, kill() goes through the runner though the channel is open: a wedged actor would never read the frame", async () => {
    const session = fakeSession(false)
    const sent: string[] = []
    const commands: string[][] = []
    const handle = handleOn(session, {
      runner: (argv) => (commands.push(argv), ['sh', '-c', 'exec "$@"', 'runner', ...argv]),
      channelSignal: (signal) => (sent.push(signal), true),
    })
    expect(await waitFor(() => handle.remotePid !== undefined, 5000)).toBe(true)
    const pid = handle.remotePid as number
    handle.terminate()
    expect(await handle.wait()).toMatchObject({ signal: 'SIGTERM' })
    expect(sent).toEqual([])
    expect(commands).toEqual([['kill', '-TERM', String(pid)]])
  })
})
