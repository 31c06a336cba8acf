// The session's input passes from a remote actor's main thread, which reads it while the channel watchdog boots, to the
// watchdog: nothing is lost, doubled or reordered, the watchdog finds signal frames from where the main thread left a
// frame, and it takes the channel from a main thread that is wedged.
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { signalFrame } from '../src/control-frames.js'
import { dribble, frame, frames } from './fixtures/frames.js'

const fixture = fileURLToPath(new URL('./fixtures/handover.ts', import.meta.url))
const tsx = import.meta.resolve('tsx')

function start(...args: string[]): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, ['--import', tsx, fixture, ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
  return { child, lines: createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]() }
}

describe('the channel handed from the main thread to the watchdog', () => {
  test('every byte arrives once and in order, across the handover', async () => {
    const data = frames(3000)
    const { child, lines } = start()
    const exited = once(child, 'exit')
    let handed = false
    void lines.next().then((line) => (handed = line.value === 'handed over'))
    // Until the handover, then a little more, then the rest at once, then EOF.
    const at = await dribble(child, data, 0, () => handed)
    let more = 0
    const after = await dribble(child, data, at, () => ++more > 20)
    child.stdin?.end(data.subarray(after))
    const report = JSON.parse((await lines.next()).value as string) as Record<string, unknown>
    await exited
    expect(handed).toBe(true)
    expect(report).toMatchObject({ how: 'lost', bytes: data.length, handedOver: true, watching: true })
    expect(report.mainBytes).toBeGreaterThan(0)
    expect(report.mainBytes).toBeLessThan(data.length)
    expect(report.digest).toBe(createHash('sha256').update(data).digest('hex'))
  })

  test('the watchdog acts on a signal frame that follows a frame the main thread read only part of', async () => {
    const data = frames(400)
    const { child, lines } = start()
    const exited = once(child, 'exit')
    // Stop in the middle of a frame: its header and part of its payload are the main thread's.
    const cut = data.length - 1000
    child.stdin?.write(data.subarray(0, cut))
    expect((await lines.next()).value).toBe('handed over')
    const signal = frame(signalFrame('SIGTERM'))
    child.stdin?.write(Buffer.concat([data.subarray(cut), signal.subarray(0, 3)]))
    child.stdin?.write(signal.subarray(3))
    const report = JSON.parse((await lines.next()).value as string) as Record<string, unknown>
    await exited
    expect(report).toMatchObject({ how: 'signal', handedOver: true, watching: true })
    expect(report.mainBytes).toBe(cut)
  })

  test('the watchdog takes the channel from a wedged main thread: EOF then ends the process by its kill', async () => {
    const { child, lines } = start('wedge')
    const exited = once(child, 'exit')
    const started = Date.now()
    child.stdin?.write(frames(3))
    // The main thread reads that, then blocks for 10 s; the watchdog boots meanwhile and finds EOF.
    await new Promise((resolve) => setTimeout(resolve, 100))
    child.stdin?.end(frames(5))
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null]
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' })
    // Killed while still wedged: with room for a loaded machine, well before the main thread would have let go.
    expect(Date.now() - started).toBeLessThan(8000)
    expect((await lines.next()).done).toBe(true)
  }, 20_000)
})
