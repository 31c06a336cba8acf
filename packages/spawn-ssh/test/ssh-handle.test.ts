// The ssh handle's signals: on the channel while it is open and the actor's watchdog reads it, else through a kill command run by the runner.
import { spawn } from 'node:child_process'
import { describe, expect, test } from 'vitest'
import { frameSignal, signalFrame } from '../src/control-frames.js'
import { LINK_LINE, PID_LINE, WATCH_LINE } from '../src/spawn-config.js'
import { WatchdogLinkError } from '../src/watchdog-link.js'
import { SshClientHandle, type SshHandleInit } from '../src/ssh-handle.js'
import { isAlive, waitFor } from './fixtures/processes.js'

/**
 * A stand-in for an ssh session: a local process that reports its pid (and, `watching`, its watchdog) as the remote
 * child does, then waits. `output` is what the actor printed just before the watch line, without ending its line;
 * `lines` are more of harrow's lines, before the watch line.
 */
function fakeSession(watching: boolean, output = '', lines = ''): ReturnType<typeof spawn> {
  // harrow's lines first, in the same write: once the handle knows the pid, it has read them too.
  const watch = watching ? `${JSON.stringify(lines + output + WATCH_LINE)} + '\\n' + ` : lines === '' ? '' : `${JSON.stringify(lines)} + `
  const script = `process.stderr.write(${watch}${JSON.stringify(PID_LINE)} + process.pid + '\\n'); setInterval(() => {}, 1000)`
  return spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'pipe'] })
}

/** A handle on `session` for an actor on "hostB", signalled through `channelSignal` or `runner` (or its link). */
function handleOn(
  session: ReturnType<typeof spawn>,
  init: Pick<SshHandleInit, 'runner' | 'channelSignal'> & Partial<Pick<SshHandleInit, 'link'>>,
): SshClientHandle {
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

  test("once linked to the actor's watchdog (its line after output that did not end its line), kill() is a signal on the link", async () => {
    const session = fakeSession(false, '', `printed${LINK_LINE}/remote/hssh-w-1/w\n`)
    const paths: string[] = []
    const sent: string[] = []
    const commands: string[][] = []
    const handle = handleOn(session, {
      runner: (argv) => (commands.push(argv), ['true']),
      channelSignal: () => false,
      link: (path) => (paths.push(path), Promise.resolve({ signal: (signal) => (sent.push(signal), session.kill(signal)), close: () => {} })),
    })
    expect(await waitFor(() => handle.remotePid !== undefined, 5000)).toBe(true)
    await new Promise((resolve) => setImmediate(resolve))
    handle.kill()
    expect(await handle.wait()).toMatchObject({ signal: 'SIGKILL' })
    expect(paths).toEqual(['/remote/hssh-w-1/w'])
    expect(sent).toEqual(['SIGKILL'])
    expect(commands).toEqual([])
  })

  test('a link that fails leaves the watchdog reading the channel: kill() is a signal frame there once it says it watches', async () => {
    const session = fakeSession(true, '', `${LINK_LINE}/remote/hssh-w-2/w\n`)
    const sent: string[] = []
    let linking = 0
    const handle = handleOn(session, {
      runner: () => ['true'],
      channelSignal: (signal) => (sent.push(signal), session.kill(signal)),
      link: () => (linking++, Promise.reject(new WatchdogLinkError('refused'))),
    })
    expect(await waitFor(() => handle.remotePid !== undefined, 5000)).toBe(true)
    await new Promise((resolve) => setImmediate(resolve))
    handle.kill()
    expect(await handle.wait()).toMatchObject({ signal: 'SIGKILL' })
    expect(linking).toBe(1)
    expect(sent).toEqual(['SIGKILL'])
  })
})
