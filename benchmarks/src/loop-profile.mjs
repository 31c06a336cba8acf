/**
 * How long this process's main thread ran without returning to its event loop while a piece of work was in
 * flight: a V8 CPU profile taken in-process (`node:inspector`), cut into stretches of consecutive samples that
 * were not `(idle)`. `monitorEventLoopDelay` cannot tell a thread that was busy from one the hypervisor did not
 * run; the profile can: a busy thread keeps being sampled, a descheduled one yields one late sample. So each
 * stretch is measured twice:
 *
 * - `cpu`: the time its samples account for, each sample's interval capped at 3x the profile's median (a gap
 *   beyond that is time the thread was not running);
 * - `wall`: the time from the sample before it to its last sample, gaps included.
 *
 * Resolution is the sampler's real interval (the profile asks for 50 µs; on a 2-vCPU VM it gets about 150 µs).
 */
import { Session } from 'node:inspector/promises'

const nowUs = () => Number(process.hrtime.bigint() / 1000n)

/** Start profiling; `time(label, fn)` marks the windows that count, `stop()` returns their longest stretches. */
export async function startLoopProfile(intervalUs = 50) {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs })
  await session.post('Profiler.start')
  const windows = []
  return {
    /** Run `fn`, recording its window under `label`. */
    async time(label, fn) {
      const start = nowUs()
      try {
        return await fn()
      } finally {
        windows.push({ label, start, end: nowUs() })
      }
    },
    /** Stop; per label, one `{ cpu, wall, gc }` (ms) per window: its longest stretch by `cpu`, and the GC in it. */
    async stop() {
      const { profile } = await session.post('Profiler.stop')
      await session.post('Profiler.disable')
      session.disconnect()
      return longestStretches(profile, windows)
    },
  }
}

/** The longest stretch of `profile` (a V8 `Profiler.Profile`) within each window, by label. */
export function longestStretches(profile, windows) {
  const names = new Map(profile.nodes.map((n) => [n.id, n.callFrame.functionName]))
  const deltas = profile.timeDeltas
  const sorted = [...deltas].sort((a, b) => a - b)
  const cap = 3 * (sorted[sorted.length >> 1] ?? 0)
  const samples = []
  let t = profile.startTime
  profile.samples.forEach((id, i) => {
    t += deltas[i]
    samples.push({ t, delta: deltas[i], name: names.get(id) })
  })
  const out = {}
  for (const { label, start, end } of windows) {
    let best = { cpu: 0, wall: 0, gc: 0 }
    let run
    const close = () => {
      if (run && run.cpu > best.cpu) best = run
      run = undefined
    }
    for (const s of samples) {
      if (s.t < start) continue
      if (s.t > end) break
      if (s.name === '(idle)') {
        close()
        continue
      }
      const counted = Math.min(s.delta, cap)
      run ??= { cpu: 0, wall: 0, gc: 0 }
      run.cpu += counted
      run.wall += s.delta
      if (s.name === '(garbage collector)') run.gc += counted
    }
    close()
    ;(out[label] ??= []).push({ cpu: best.cpu / 1000, wall: best.wall / 1000, gc: best.gc / 1000 })
  }
  return out
}
