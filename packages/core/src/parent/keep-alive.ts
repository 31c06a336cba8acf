/**
 * What keeps a program alive while harrow works for it. Actors' own handles
 * (processes, pipes, ports) do not hold the event loop (`SpawnedChild.unref`),
 * so idle actors never keep a program open; one timer holds it instead while
 * a spawn, a call, a stream, a context or a stop is under way.
 */

import { setInterval } from 'node:timers'

let holds = 0
let timer: ReturnType<typeof setInterval> | undefined

/** Keep the event loop alive until the matching {@link release}. */
export function hold(): void {
  if (holds++ > 0) return
  // Never fires: it only stands for the work in flight. Timers cost a counter to (un)reference, no syscall.
  timer ??= setInterval(() => {}, 2 ** 31 - 1)
  timer.ref()
}

/** End one {@link hold}. */
export function release(): void {
  if (--holds === 0) timer?.unref()
}

/** Keep the event loop alive until `work` settles; resolves or rejects as it does. */
export async function holding<T>(work: Promise<T>): Promise<T> {
  hold()
  try {
    return await work
  } finally {
    release()
  }
}
