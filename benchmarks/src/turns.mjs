/**
 * How long one turn of this process's event loop can take while something runs: the longest stretch in which the
 * loop could not answer anything else (a timer, a socket, a request), which is what "blocking the event loop" means.
 *
 * A chain of `setImmediate` callbacks runs once per turn (and keeps the loop from sleeping in its poll, so every turn
 * is seen); the time between two of them is one turn, with all the I/O callbacks, timers and microtasks it ran. The
 * loop-delay monitor (`monitorEventLoopDelay`) only samples every millisecond and also counts the moments the
 * machine did not run the process at all; event-loop utilization adds every turn together. Keeping the loop busy
 * takes one vCPU, so the turns are measured with this process alone on one vCPU and the processes it talks to on the
 * others (see {@link pinApart}): then the spinning loop neither waits for them nor slows them down.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { PerformanceObserver } from 'node:perf_hooks'

/** Room for the turns of one measurement (a spawn takes a few thousand); turns beyond it count as one. */
const SLOTS = 1 << 16

/** When each turn ended (ms), the first entry being when the measurement started. */
const ends = new Float64Array(SLOTS + 1)

/** The process's CPU time (µs, every thread) at the same moments. */
const cpu = new Float64Array(SLOTS + 1)

function cpuNow() {
  const { user, system } = process.cpuUsage()
  return user + system
}

/**
 * Run `fn` and return, with its result, the longest turn of the event loop while it ran, in ms (`longest`); and the
 * longest time a turn kept the loop on a CPU with the garbage collector's pauses taken out (`longestOwn`). A turn
 * is on a CPU for at most the process's CPU time in it (all its threads: an upper bound), which leaves out the
 * moments this VM did not run the process, or another process ran; a scavenge lands in whichever turn allocates
 * when the young generation is full, and its length is the live young objects of the whole program.
 * @template T
 * @param {() => Promise<T>} fn
 * @returns {Promise<{ longest: number, longestOwn: number, gcPauses: number, turns: number, value: T }>}
 */
export async function longestTurn(fn) {
  const pauses = []
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push(entry)
  })
  observer.observe({ entryTypes: ['gc'] })
  let spinning = true
  let turns = 0
  const tick = () => {
    if (turns < SLOTS) turns++
    ends[turns] = performance.now()
    cpu[turns] = cpuNow()
    if (spinning) setImmediate(tick)
  }
  ends[0] = performance.now()
  cpu[0] = cpuNow()
  setImmediate(tick)
  const value = await fn()
  spinning = false
  // The turn in which `fn` settled ends with this one.
  await new Promise((resolve) => setImmediate(resolve))
  if (turns < SLOTS) turns++
  ends[turns] = performance.now()
  cpu[turns] = cpuNow()
  // The observer is told of pauses after they end, a turn later at most.
  await new Promise((resolve) => setTimeout(resolve, 1))
  observer.disconnect()
  const from = ends[0]
  const to = ends[turns]
  const inWindow = pauses.filter((p) => p.startTime < to && p.startTime + p.duration > from)
  let longest = 0
  let longestOwn = 0
  for (let i = 1; i <= turns; i++) {
    const start = ends[i - 1]
    const end = ends[i]
    let gc = 0
    for (const p of inWindow) gc += Math.max(0, Math.min(end, p.startTime + p.duration) - Math.max(start, p.startTime))
    const onCpu = Math.min(end - start, (cpu[i] - cpu[i - 1]) / 1000)
    longest = Math.max(longest, end - start)
    longestOwn = Math.max(longestOwn, onCpu - gc)
  }
  return { longest, longestOwn, gcPauses: inWindow.length, turns, value }
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
 * Put this process alone on one vCPU and `pids` on the others it may use, with one `taskset` run (a spawn from this
 * process, which may be big, is expensive); returns how to undo it. `undefined` where that cannot be done (one
 * vCPU, no `taskset`): the caller says so. Processes that `pids` start meanwhile inherit their affinity.
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
  const pin = (list, cpuList, selfList) => {
    const script = `taskset -p -c ${selfList} ${process.pid} >/dev/null && for p in "$@"; do taskset -p -c ${cpuList} "$p" >/dev/null 2>&1 || true; done`
    execFileSync('sh', ['-c', script, 'sh', ...list.map(String)], { stdio: ['ignore', 'ignore', 'inherit'] })
  }
  try {
    pin(pids, others.join(','), String(own))
  } catch {
    return undefined
  }
  return (later) => pin([...new Set([...pids, ...later])], all, all)
}
