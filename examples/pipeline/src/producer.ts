/** The producer actor: streams numbered items as fast as the pipeline lets it. */

/** One item: its sequence number and, optionally, a payload to make it heavy. */
export interface Item {
  readonly seq: number
  readonly payload: Uint8Array
}

let produced = 0

/** How many items the running `produce` has made so far (asked for while the pipeline runs). */
export function producedSoFar(): number {
  return produced
}

/**
 * Yield `count` items of `payloadBytes` bytes each. The generator has no
 * pacing of its own: it only stops when harrow stops asking for the next
 * item, that is, when the consumer's flow window is full.
 */
// eslint-disable-next-line @typescript-eslint/require-await -- portal.stream() serves async generators; this one has nothing to await
export async function* produce(count: number, payloadBytes: number): AsyncGenerator<Item> {
  produced = 0
  for (let seq = 1; seq <= count; seq++) {
    produced = seq
    yield { seq, payload: new Uint8Array(payloadBytes).fill(seq % 256) }
  }
}
