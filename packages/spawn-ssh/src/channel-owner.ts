/**
 * Who reads the session's input, shared by a remote actor's two threads: its
 * main thread reads it while its watchdog thread boots (so the actor boots
 * and serves its first calls without waiting for a thread to start), then
 * the watchdog takes it for good. Each read of the main thread is made under
 * this lock, so the watchdog's first read follows the main thread's last one
 * and no byte is read twice, lost or reordered, even while the main thread
 * is wedged (the watchdog never needs it to let go).
 */

/** The main thread may read, and is not reading. */
const MAIN_MAY_READ = 0
/** The main thread is inside one (non-blocking) read. */
const MAIN_READING = 1
/** The watchdog thread reads, from now on. */
const WATCHDOG_READS = 2

/** The lock over the session's input: one 32-bit cell in shared memory, passed to the watchdog in its workerData. */
export type ChannelOwner = Int32Array

/** A lock that lets the main thread read first; `watchdogFirst` gives the channel to the watchdog from the start. */
export function channelOwner(watchdogFirst = false): ChannelOwner {
  const owner = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT))
  owner[0] = watchdogFirst ? WATCHDOG_READS : MAIN_MAY_READ
  return owner
}

/**
 * Main thread: run `read` (one non-blocking read) if the channel is still
 * the main thread's, and return what it returned; `undefined`, without
 * reading, once the watchdog has it. What `read` throws is rethrown.
 */
export function readAsMain<T>(owner: ChannelOwner, read: () => T): T | undefined {
  if (Atomics.compareExchange(owner, 0, MAIN_MAY_READ, MAIN_READING) !== MAIN_MAY_READ) return undefined
  try {
    return read()
  } finally {
    Atomics.store(owner, 0, MAIN_MAY_READ)
    Atomics.notify(owner, 0)
  }
}

/**
 * Watchdog thread: take the channel, waiting out a read the main thread is
 * inside of (one system call at most). Returns whether the main thread had
 * it (and may have read part of a frame).
 */
export function takeAsWatchdog(owner: ChannelOwner): boolean {
  for (;;) {
    const seen = Atomics.compareExchange(owner, 0, MAIN_MAY_READ, WATCHDOG_READS)
    if (seen !== MAIN_READING) return seen === MAIN_MAY_READ
    Atomics.wait(owner, 0, MAIN_READING)
  }
}
