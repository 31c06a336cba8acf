/**
 * The transform actor: it starts the producer as its own child, consumes its
 * stream through a portal, and re-streams each item transformed. Backpressure
 * composes: when the root stops reading, this generator stops, so it stops
 * reading the producer's stream, so the producer stops.
 */

import { openNursery, ref, type Portal } from '@harrow/core'
import type { Item } from './producer.ts'

const producerModule = new URL('./producer.ts', import.meta.url)

/** An item after the transform: the producer's, plus a checksum of its payload. */
export interface Transformed extends Item {
  readonly checksum: number
}

let producer: Portal | undefined
let transformed = 0

/** Stream `count` items from a producer of our own, each with its checksum. */
export async function* checksums(count: number, payloadBytes: number): AsyncGenerator<Transformed> {
  const nursery = await openNursery()
  try {
    producer = await nursery.startActor('producer', { enableModules: [producerModule] })
    transformed = 0
    for await (const item of producer.stream<Item>(ref(producerModule, 'produce'), [count, payloadBytes])) {
      let checksum = 0
      for (const byte of item.payload) checksum = (checksum + byte) % 65521
      transformed = item.seq
      yield { ...item, checksum }
    }
  } finally {
    // Reached when the stream ends or the root leaves it early: the producer is reaped either way.
    producer = undefined
    await nursery.close()
  }
}

/** Where the pipeline stands: items produced (asked of the producer) and transformed so far. */
export async function progress(): Promise<{ produced: number; transformed: number }> {
  const produced = producer ? await producer.run<number>(ref(producerModule, 'producedSoFar')) : 0
  return { produced, transformed }
}
