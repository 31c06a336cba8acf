/** Conformance: a slow consumer holds a fast producer to one window, in every direction. */

import { FLOW_WINDOW, FLOW_WINDOW_BYTES, FLOW_WINDOW_MAX, withNursery } from '@harrow/core'
import { describe, expect, test } from 'vitest'
import { fixtureModules, task } from '../fixture-modules.js'
import type { SuiteContext } from './context.js'

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Most items of `size` bytes a sender may get ahead by: a window of items or of bytes, plus the one in hand. */
const windowOf = (size: number): number => Math.min(FLOW_WINDOW, Math.ceil(FLOW_WINDOW_BYTES / size)) + 2

export function backpressureTests({ key, capabilities }: SuiteContext): void {
  const enableModules = [fixtureModules.tasks]

  describe('backpressure', () => {
    test.each([
      ['small items, bounded by count', 16],
      ['1 MiB items, bounded by bytes', 1024 * 1024],
    ])('a stream consumer that stops reading stops the remote generator within one window (%s)', async (_, size) => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('firehose', { enableModules })
          const stream = portal.stream<Buffer>(task('produceForever'), [size])
          expect((await stream.next()).value).toHaveLength(size)
          await settle(400)
          const ahead = await portal.run<number>(task('produced'))
          expect(ahead).toBeGreaterThan(1)
          expect(ahead).toBeLessThanOrEqual(windowOf(size))
          await stream.return()
        },
        { spawnMethod: key },
      )
    })

    test('a consumer that kept up may have let the window grow, never past FLOW_WINDOW_MAX, nor has the next stream on its portal; when it stops, so does the generator', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('counter', { enableModules })
          const stream = portal.stream<number>(task('countProduced'))
          let consumed = 0
          for (; consumed < 200_000; consumed++) {
            const { value } = await stream.next()
            if (value !== consumed) throw new Error(`item ${consumed} arrived as ${String(value)}`)
          }
          await settle(400)
          const ahead = (await portal.run<number>(task('produced'))) - consumed
          expect(ahead).toBeGreaterThan(1)
          expect(ahead).toBeLessThanOrEqual(FLOW_WINDOW_MAX + 2)
          await stream.return()
          // The next stream on this portal starts with the window this one grew to: still no more than FLOW_WINDOW_MAX.
          const next = portal.stream<number>(task('countProduced'))
          expect((await next.next()).value).toBe(0)
          await settle(400)
          const second = (await portal.run<number>(task('produced'))) - 1
          expect(second).toBeGreaterThan(1)
          expect(second).toBeLessThanOrEqual(FLOW_WINDOW_MAX + 2)
          // A window the first grew past FLOW_WINDOW is where the second started.
          if (ahead > FLOW_WINDOW + 2) expect(second).toBeGreaterThan(FLOW_WINDOW + 2)
          await next.return()
        },
        { spawnMethod: key },
      )
    })

    test('a context whose remote reads nothing holds the parent sends to one window', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('deaf', { enableModules })
          const ctx = await portal.openContext(task('neverReads'))
          const size = 1024 * 1024
          let sent = 0
          const sending = (async () => {
            for (;;) {
              await ctx.send(Buffer.alloc(size))
              sent++
            }
          })().catch(() => {})
          await settle(400)
          expect(sent).toBeGreaterThan(1)
          expect(sent).toBeLessThanOrEqual(windowOf(size))
          await ctx.cancel()
          await sending
        },
        { spawnMethod: key },
      )
    })

    test('a context sending to a parent that does not iterate is held to one window', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('chatterbox', { enableModules })
          const size = 512 * 1024
          const ctx = await portal.openContext(task('sendsForever'), [size])
          await settle(400)
          const ahead = await portal.run<number>(task('produced'))
          expect(ahead).toBeGreaterThan(1)
          expect(ahead).toBeLessThanOrEqual(windowOf(size))
          await ctx.cancel()
        },
        { spawnMethod: key },
      )
    })

    test("streaming 512 MiB to a slow consumer keeps both sides' memory bounded", async () => {
      const size = 1024 * 1024
      const before = process.memoryUsage().rss
      let peak = before
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('bulk', { enableModules })
          let received = 0
          for await (const item of portal.stream<Buffer>(task('produceForever'), [size])) {
            received += item.length
            if (received % (16 * size) === 0) peak = Math.max(peak, process.memoryUsage().rss)
            await new Promise((resolve) => setImmediate(resolve))
            if (received >= 512 * size) break
          }
          // Generous bounds against unbounded buffering, not a measure of speed: 512 MiB went through. An actor on a
          // thread is in this process too, with its own garbage not yet collected (270 to 300 MiB on Node 24).
          expect(peak - before).toBeLessThan((capabilities.processes ? 256 : 384) * size)
          expect(await portal.run<number>(task('peakMemory'))).toBeLessThan(512 * size)
        },
        { spawnMethod: key },
      )
    })
  })
}
