/**
 * How long one turn of this process's event loop can take while something runs: the longest stretch in which the
 * loop could not answer anything else (a timer, a socket, a request), which is what "blocking the event loop" means.
 *
 * A chain of `setImmediate` callbacks runs once per turn (and keeps the loop from sleeping in its poll, so every turn
 * is seen); the time between two of them is one turn, with all the I/O callbacks, timers and microtasks it ran. The
 * loop-delay monitor (`monitorEventLoopDelay`) only samples every millisecond and also counts the moments the
 * machine did not run the process at all; event-loop utilization adds every turn together. Keeping the loop busy
 * takes one vCPU, so the turns are measured with the loop's thread alone on one vCPU and everything else (this
 * process's helper threads, the processes it talks to) on the others (see {@link pinApart}): then the spinning
 * loop neither waits for them nor slows them down, and none of them preempts it.
 */
import { execFileSync } from 'node:child_process'
import { openSync, readFileSync, readSync } from 'node:fs'
import { PerformanceObserver } from 'node:perf_hooks'

/** How many turns {@link longestTurn} can record (a spawn and its first call take a few thousand); past that it refuses to report. */
export const SLOTS = 1 << 16

/** When each turn ended (ms), the first entry being when the measurement started. */
const ends = new Float64Array(SLOTS + 1)

/** How long the loop's thread had waited for a vCPU by then (ms), from {@link waitedForCpu}. */
const waits = new Float64Array(SLOTS + 1)

/** This thread's scheduler statistics (Linux): opened once, by the thread that measures, and read in place. */
let schedstat
const schedBuffer = Buffer.alloc(96)

/**
 * How long this thread has waited, runnable, for a vCPU (ms): the second field of /proc/thread-self/schedstat, which
 * the kernel keeps exactly at each switch. On this VM a kernel thread (DAMON's `kdamond`, which watches memory for
 * the host) now and then takes the loop's vCPU for a few milliseconds; that time is the machine's, not the turn's.
 * 0 where there is no such file.
 */
function waitedForCpu() {
  if (schedstat === undefined) {
    try {
      schedstat = openSync('/proc/thread-self/schedstat', 'r')
    } catch {
      schedstat = null
    }
  }
  if (schedstat === null) return 0
  const length = readSync(schedstat, schedBuffer, 0, schedBuffer.length, 0)
  return Number(schedBuffer.toString('latin1', 0, length).split(' ')[1]) / 1e6
}

/**
 * Run `fn` and return, with its result, the longest turn of the event loop while it ran, in ms (`longest`), and the
 * longest with what was not the turn's own work taken out (`longestOwn`): the garbage collector's pauses (a
 * scavenge lands in whichever turn allocates when the young generation is full, and its length is the live young
 * objects of the whole program, this measurement's own callbacks included) and the time the loop's thread waited
 * for a vCPU while another thread had it.
 * @template T
 * @param {() => Promise<T>} fn
 * @returns {Promise<{ longest: number, longestOwn: number, gcPauses: number, turns: number, elapsed: number, value: T }>}
 * @throws RangeError when `fn` took more turns than there is room for (tens of thousands).
 */
export async function longestTurn(fn) {
  const pauses = []
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push(entry)
  })
  observer.observe({ entryTypes: ['gc'] })
  let spinning = true
  let turns = 0
  let overflowed = false
  const tick = () => {
    if (turns < SLOTS) turns++
    else overflowed = true
    ends[turns] = performance.now()
    waits[turns] = waitedForCpu()
    if (spinning) setImmediate(tick)
  }
  ends[0] = performance.now()
  waits[0] = waitedForCpu()
  setImmediate(tick)
  const value = await fn()
  spinning = false
  // The turn in which `fn` settled ends with this one.
  await new Promise((resolve) => setImmediate(resolve))
  if (turns < SLOTS) turns++
  else overflowed = true
  ends[turns] = performance.now()
  waits[turns] = waitedForCpu()
  // The observer is told of pauses after they end, a turn later at most.
  await new Promise((resolve) => setTimeout(resolve, 1))
  observer.disconnect()
  // Past the last slot, one turn's end was overwritten by the next ones: the figures would be wrong, not rough.
  if (overflowed) throw new RangeError(`longestTurn: more than ${SLOTS} turns; measure a shorter stretch`)
  const inWindow = pauses.filter((p) => p.startTime < ends[turns] && p.startTime + p.duration > ends[0])
  let longest = 0
  let longestOwn = 0
  for (let i = 1; i <= turns; i++) {
    const start = ends[i - 1]
    const end = ends[i]
    let gc = 0
    for (const p of inWindow) gc += Math.max(0, Math.min(end, p.startTime + p.duration) - Math.max(start, p.startTime))
    const wall = end - start
    if (wall <= 0) continue
    // The time the thread ran, less the collector's share of it (a pause, too, is stretched by any wait inside it).
    const running = Math.max(0, wall - (waits[i] - waits[i - 1]))
    longest = Math.max(longest, wall)
    longestOwn = Math.max(longestOwn, running * (1 - gc / wall))
  }
  return { longest, longestOwn, gcPauses: inWindow.length, turns, elapsed: ends[turns] - ends[0], value }
}

/** What {@link referenceWork} computes on: its writes are the work, so no compiler can drop it. */
const scratch = new Float64Array(2048)

/**
 * How long a fixed piece of arithmetic takes now, in ms (the fastest of three runs, about 0.5 ms each here): this
 * VM's vCPU is at times several times slower for a second or so (its host is busy), which stretches every turn of
 * work alike; the ratio of this time to its median over a run says by how much.
 */
export function referenceWork() {
  let fastest = Infinity
  for (let run = 0; run < 3; run++) {
    const started = performance.now()
    let x = 1
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < scratch.length; i++) {
        scratch[i] = scratch[i] * 0.5 + Math.sqrt(i + round + x)
        x += scratch[i] % 3
      }
    }
    fastest = Math.min(fastest, performance.now() - started)
  }
  return fastest
}

/** The vCPUs this process may run on, as the kernel lists them ("0-1", "0,2-3"), or `undefined` off Linux. */
function allowedCpus() {
  try {
    return /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]
  } catch {
    return undefined
  }
}

/**
 * Put this process's main thread (its event loop) alone on one vCPU, and its other threads (V8's and libuv's
 * helpers) and every thread of `pids` on the others it may use, with one `taskset` run (a spawn from this process,
 * which may be big, is expensive); returns how to undo it. `undefined` where that cannot be done (one vCPU, no
 * `taskset`): the caller says so. Threads and processes started meanwhile inherit the affinity of their creator.
 * @param {readonly number[]} pids
 * @returns {((pids: readonly number[]) => void) | undefined} gives this process and `pids` back every vCPU this
 *   process had
 */
export function pinApart(pids) {
  const all = allowedCpus()
  const cpus = all?.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number)
    return Array.from({ length: to - from + 1 }, (_, i) => from + i)
  })
  if (!all || !cpus || cpus.length < 2) return undefined
  const [own, ...others] = cpus
  const pin = (list, loop, rest) => {
    const script = `taskset -a -p -c ${rest} ${process.pid} >/dev/null && taskset -p -c ${loop} ${process.pid} >/dev/null && for p in "$@"; do taskset -a -p -c ${rest} "$p" >/dev/null 2>&1 || true; done`
    execFileSync('sh', ['-c', script, 'sh', ...list.map(String)], { stdio: ['ignore', 'ignore', 'inherit'] })
  }
  try {
    pin(pids, String(own), others.join(','))
  } catch {
    return undefined
  }
  return (later) => pin([...new Set([...pids, ...later])], all, all)
}
