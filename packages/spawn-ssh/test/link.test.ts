// A remote actor's watchdog thread on its own link (a unix socket the parent reaches through ssh), tested without ssh:
// once linked, the watchdog gives the channel back to the actor's main thread with nothing lost or doubled, and still
// hears a lost parent, a silence and the parent's signals, even while the main thread is wedged.
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { existsSync, statSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { dirname } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { signalFrame } from '../src/control-frames.js'
import { dribble, frame, frames } from './fixtures/frames.js'
import { LINK_HELLO, LINK_LINE } from '../src/spawn-config.js'

const fixture = fileURLToPath(new URL('./fixtures/link.ts', import.meta.url))
const tsx = import.meta.resolve('tsx')

interface Started {
  readonly child: ChildProcess
  readonly lines: AsyncIterator<string>
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>
  /** The socket path the watchdog announced on stderr. */
  readonly path: Promise<string>
}

function start(...args: string[]): Started {
  const child = spawn(process.execPath, ['--import', tsx, fixture, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  const path = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      const at = line.indexOf(LINK_LINE)
      if (at === -1) process.stderr.write(`${line}\n`)
      else resolve(line.slice(at + LINK_LINE.length))
    })
    void exited.then(() => reject(new Error('the fixture exited before its watchdog listened')))
  })
  return { child, lines: createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator](), exited, path }
}

/** Connect as the parent's link does and wait for the watchdog's greeting. */
async function link(path: string): Promise<Socket> {
  const socket = connect(path)
  const [hello] = (await once(socket, 'data')) as [Buffer]
  expect([...hello]).toEqual([LINK_HELLO])
  return socket
}

async function report(lines: AsyncIterator<string>): Promise<Record<string, unknown>> {
  return JSON.parse((await lines.next()).value as string) as Record<string, unknown>
}

describe("the watchdog's own link", () => {
  test('once linked, the channel goes back to the main thread: every byte once, in order; the socket file is gone; a closed link is a lost parent', async () => {
    const { child, lines, exited, path } = start()
    const data = frames(3000)
    // Before the link: the main thread, then the watchdog (it takes the channel before it listens), read the channel.
    let at = await dribble(child, data, 0, () => false, 20_000)
    const where = await path
    at = await dribble(child, data, at, () => false, 200_000)
    expect(statSync(dirname(where)).mode & 0o777).toBe(0o700)
    expect(statSync(dirname(where)).uid).toBe(process.getuid?.())
    const socket = await link(where)
    let mainReads = false
    void lines.next().then((line) => (mainReads = line.value === 'main reads'))
    at = await dribble(child, data, at, () => mainReads)
    expect(mainReads).toBe(true)
    expect(existsSync(where)).toBe(false)
    await dribble(child, data, at, () => false)
    socket.write(frame(new Uint8Array(0)))
    await new Promise((resolve) => setTimeout(resolve, 300))
    socket.end()
    const result = await report(lines)
    await exited
    expect(result).toMatchObject({ how: 'lost: eof', frames: 3000 })
    expect(result.watchdogBytes).toBeGreaterThan(0)
    expect(result.mainBytes).toBeGreaterThan(0)
    expect(result.digest).toBe(createHash('sha256').update(data).digest('hex'))
  })

  test('a signal frame on the link reaches a process whose main thread is wedged', async () => {
    const { child, lines, exited, path } = start()
    const socket = await link(await path)
    expect((await lines.next()).value).toBe('main reads')
    child.stdin?.write(frame(Buffer.of(0x77)))
    await new Promise((resolve) => setTimeout(resolve, 200))
    socket.write(frame(signalFrame('SIGKILL')))
    expect(await exited).toEqual([null, 'SIGKILL'])
    socket.destroy()
  })

  test('a wedged main thread whose link closes is killed after the grace', async () => {
    const { child, lines, exited, path } = start()
    const socket = await link(await path)
    expect((await lines.next()).value).toBe('main reads')
    child.stdin?.write(frame(Buffer.of(0x77)))
    await new Promise((resolve) => setTimeout(resolve, 200))
    socket.destroy()
    expect(await exited).toEqual([null, 'SIGKILL'])
  })

  test('a signal frame the parent sent on the channel before it knew of the link is acted on by the main thread', async () => {
    const { child, lines, exited, path } = start()
    const socket = await link(await path)
    expect((await lines.next()).value).toBe('main reads')
    child.stdin?.write(frame(signalFrame('SIGTERM')))
    expect(await report(lines)).toMatchObject({ how: 'signal' })
    await exited
    socket.destroy()
  })

  test("the socket of an actor killed before its link is swept by the host's next actor", async () => {
    const first = start()
    const stale = await first.path
    first.child.kill('SIGKILL')
    await first.exited
    expect(existsSync(stale)).toBe(true)
    const next = start()
    const socket = await link(await next.path)
    expect(existsSync(stale)).toBe(false)
    socket.end()
    await next.exited
  })

  test('without a link the watchdog reads the channel, whose heartbeats keep it; a silent link is a lost channel', async () => {
    const unlinked = start('600')
    await unlinked.path
    for (let i = 0; i < 15; i++) {
      unlinked.child.stdin?.write(frame(new Uint8Array(0)))
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(unlinked.child.exitCode).toBeNull()
    expect(await report(unlinked.lines)).toMatchObject({ how: 'lost: silence' })
    await unlinked.exited
    const silent = start('600')
    const socket = await link(await silent.path)
    expect((await silent.lines.next()).value).toBe('main reads')
    expect(await report(silent.lines)).toMatchObject({ how: 'lost: silence' })
    await silent.exited
    socket.destroy()
  })
})
