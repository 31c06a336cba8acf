/**
 * Pipeline: root ← transform ← producer, three processes. The producer runs
 * flat out, the root reads in bursts and pauses; at each pause the root asks
 * how far the producer got. Flow control bounds the gap: each hop holds at
 * most its item window (FLOW_WINDOW at first, at most FLOW_WINDOW_MAX) or
 * FLOW_WINDOW_BYTES bytes in flight.
 * Run it with `pnpm --filter @harrow/example-pipeline start`.
 */

import { setTimeout as sleep } from 'node:timers/promises'
import '@harrow/spawn-process' // registers spawn method 'process', the default
import { FLOW_WINDOW, FLOW_WINDOW_BYTES, FLOW_WINDOW_MAX, withNursery } from '@harrow/core'
import type * as Transform from './transform.ts'

const transformModule = new URL('./transform.ts', import.meta.url)
const MiB = 1024 * 1024

const phases = [
  { title: 'small items (a few bytes): the item window binds', count: 4500, payloadBytes: 8, burst: 1500 },
  { title: '1 MiB items: the byte window binds', count: 72, payloadBytes: MiB, burst: 24 },
]

console.log(
  `pipeline: root ← transform ← producer; per hop: FLOW_WINDOW = ${FLOW_WINDOW} items (growing up to FLOW_WINDOW_MAX = ${FLOW_WINDOW_MAX}), FLOW_WINDOW_BYTES = ${FLOW_WINDOW_BYTES / MiB} MiB`,
)

await withNursery(async (nursery) => {
  const portal = await nursery.startActor('transform', { enableModules: [transformModule] })
  const transform = portal.bind<typeof Transform>(transformModule)

  for (const { title, count, payloadBytes, burst } of phases) {
    console.log(`\n${title}: ${count} items, read ${burst} at a time, pausing 200 ms after each burst`)
    let consumed = 0
    let maxAhead = 0
    for await (const item of transform.checksums(count, payloadBytes)) {
      consumed++
      if (item.seq !== consumed) throw new Error(`item ${item.seq} arrived as number ${consumed}`)
      // Pause after the first item (the stream has just started) and after every burst but the last.
      if (consumed === 1 || (consumed % burst === 0 && consumed < count)) {
        await sleep(200) // the root is busy: the producer runs until the windows are full, then waits
        const { produced, transformed } = await transform.progress()
        const ahead = produced - consumed
        maxAhead = Math.max(maxAhead, ahead)
        console.log(
          `  root read ${String(consumed).padStart(4)} | transform made ${String(transformed).padStart(4)} | producer made ${String(produced).padStart(4)} | ahead of the root by ${ahead}`,
        )
      }
    }
    const perHop =
      payloadBytes >= MiB
        ? `two hops of about ${FLOW_WINDOW_BYTES / payloadBytes} items (${FLOW_WINDOW_BYTES / MiB} MiB) each`
        : 'two hops of one item window each'
    console.log(`  all ${consumed} items in order; the producer was never more than ${maxAhead} items ahead: ${perHop}`)
  }
})

console.log('\nthe nursery closed: transform and producer reaped')
