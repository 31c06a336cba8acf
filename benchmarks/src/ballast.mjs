/**
 * Make a process big, the two ways that matter for spawning from it: Buffers (memory outside the JS heap) or
 * live JS heap. Either is held until the process exits.
 */

export const GiB = 1024 ** 3
const held = []

/**
 * Hold `bytes` of touched Buffers (128 MiB each).
 * @param {number} bytes
 */
export function holdBuffers(bytes) {
  const chunk = 128 * 1024 * 1024
  for (let left = bytes; left > 0; left -= chunk) held.push(Buffer.alloc(Math.min(chunk, left), 1))
}

/**
 * Hold about `bytes` of live JS heap: arrays of doubles (8 bytes each), 8 MiB apiece; then collect once (with
 * --expose-gc) so that no collection of the filling lands in a sample.
 * @param {number} bytes
 */
export function holdHeap(bytes) {
  const perArray = 1024 * 1024
  for (let left = bytes; left > 0; left -= perArray * 8) held.push(new Array(perArray).fill(0.5))
  globalThis.gc?.()
}

/** What this process holds now, in GiB. */
export function footprint() {
  const { rss, heapUsed, arrayBuffers } = process.memoryUsage()
  return { rssGiB: +(rss / GiB).toFixed(2), heapGiB: +(heapUsed / GiB).toFixed(2), buffersGiB: +(arrayBuffers / GiB).toFixed(2) }
}
