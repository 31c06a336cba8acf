/**
 * Warm spawn versus the parent's memory: a forkserver actor (handed out from the warm pool) beside a process actor
 * and a bare `child_process.spawn`, from a small parent and from parents holding live JS heap or Buffers, each
 * case its own parent process. The forkserver is started while the parent is small (its one fork of the parent);
 * then the parent is made big, and the three alternate in blocks of {@link BLOCK} samples, so that all see the same
 * machine while a fork of a big parent (whose copy-on-write faults follow it for a while) does not land in a
 * forkserver sample. The parent's event-loop delay is recorded over each spawn, and over an idle control window;
 * in blocks of their own, the longest turn of the parent's event loop over a forkserver spawn and over an idle
 * window of the same kind (turns.mjs).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { freemem } from 'node:os'
import { openNursery, ref } from '@harrow/core'
import { configureForkserver, forkserverInfo, startForkserver, stopForkserver } from '@harrow/spawn-forkserver'
import '@harrow/spawn-process'
import { GiB, footprint, holdBuffers, holdHeap } from '../ballast.mjs'
import { bareChild } from '../raw.mjs'
import { row, sleep, summarize } from '../stats.mjs'
import { longestTurn, pinApart, referenceWork } from '../turns.mjs'

const TASKS = new URL('../fixtures/tasks.mjs', import.meta.url)
const add = ref(TASKS, 'add')

/** The event-loop delay monitor's own interval, in ms: what it records beyond this is time the loop was blocked. */
const RESOLUTION = 1

/** Samples of one contender in a row. */
const BLOCK = 10

const POOL_SIZE = 2

/** Wait until the forkserver's pool has `size` ready children again (a warm hand-out), then let the machine settle. */
export async function poolReady(size) {
  while ((forkserverInfo()?.pool.ready.length ?? 0) < size) await sleep(5)
  await sleep(20)
}

/** The cases: what the parent holds. `heap` cases need room for it and --expose-gc. */
const CASES = [
  { id: 'small', label: 'small parent', quick: true },
  { id: 'heap-1g', label: '1 GiB of live JS heap', heap: 1, quick: true },
  { id: 'heap-2g', label: '2 GiB of live JS heap', heap: 2 },
  { id: 'buffers-2g', label: '2 GiB of Buffers', buffers: 2 },
  { id: 'buffers-4g', label: '4 GiB of Buffers', buffers: 4 },
]

/**
 * Time `fn`, with what the event loop went through meanwhile: `blocked`, the longest delay of the loop-delay
 * monitor beyond its interval (which also counts moments this VM did not run the process at all), and `busy`, the
 * time the loop spent outside its wait for I/O (event-loop utilization), which no single block can exceed.
 */
async function timed(delay, fn) {
  delay.reset()
  delay.enable()
  const loop = performance.eventLoopUtilization()
  const started = performance.now()
  await fn()
  const elapsed = performance.now() - started
  const busy = performance.eventLoopUtilization(loop).active
  delay.disable()
  return { elapsed, blocked: Math.max(0, delay.max / 1e6 - RESOLUTION), busy }
}

export default {
  id: 'parent-memory',
  title: "Warm spawn versus the parent's memory",
  how: "Spawn to first call (`startActor` + `run(add)`) from a parent holding the memory named, each case its own parent process; the forkserver (its pool of 2 preloading the actors' module, as its README advises) was started while the parent was small, and forkserver, process and bare-spawn samples alternate in blocks of 10 (forkserver samples wait for a full warm pool of 2). Ratios are to the same contender from the small parent.",
  cases({ quick }) {
    // A 4 GiB parent, its copy-on-write fork and the children need room: skip it on a machine without it.
    return CASES.filter((c) => !quick || c.quick).map((c) => {
      const nodeFlags = c.heap ? [`--max-old-space-size=${(c.heap + 2) * 1024}`, '--expose-gc'] : ['--expose-gc']
      const needGiB = (c.heap ?? c.buffers ?? 0) * 2 + 2
      const skip = freemem() / GiB < needGiB ? `skipped: ${(freemem() / GiB).toFixed(1)} GiB free, ${needGiB} GiB needed` : undefined
      return { id: c.id, label: c.label, nodeFlags, ...(skip ? { skip } : {}) }
    })
  },
  async run({ quick, caseId }) {
    const spec = CASES.find((c) => c.id === caseId)
    const runs = quick ? 10 : 40
    const warmup = quick ? 2 : 5
    // As the forkserver's README advises: the module actors enable, imported by every warm child while it is idle.
    configureForkserver({ poolSize: POOL_SIZE, preload: [TASKS] })
    const delay = monitorEventLoopDelay({ resolution: RESOLUTION })
    const serverStart = await timed(delay, () => startForkserver())
    if (spec.buffers) holdBuffers(spec.buffers * GiB)
    if (spec.heap) holdHeap(spec.heap * GiB)
    const held = footprint()
    const nursery = await openNursery()
    const contenders = {
      forkserver: async () => {
        await poolReady(POOL_SIZE)
        const result = await timed(delay, async () => {
          const portal = await nursery.startActor('bench', { enableModules: [TASKS], spawnMethod: 'forkserver' })
          await portal.run(add, [1, 2])
          void portal.cancelActor()
        })
        return result
      },
      idle: async () => {
        await poolReady(POOL_SIZE)
        return timed(delay, () => sleep(5))
      },
      process: async () => {
        await sleep(20)
        return timed(delay, async () => {
          const portal = await nursery.startActor('bench', { enableModules: [TASKS], spawnMethod: 'process' })
          await portal.run(add, [1, 2])
          void portal.cancelActor()
        })
      },
      bare: async () => {
        await sleep(20)
        let child
        const result = await timed(delay, async () => {
          child = await bareChild('first-byte')
        })
        await child.close()
        return result
      },
    }
    const samples = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]))
    const blocked = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]))
    const busy = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]))
    // The longest loop turn over a forkserver spawn and its first call, and over an idle window: the parent's loop
    // alone on one vCPU, everything else on the others (turns.mjs), in blocks of their own.
    const turns = { forkserver: [], 'forkserver-own': [], idle: [], 'idle-own': [] }
    let gcPauses = 0
    // How long the windows lasted, in ms: a machine that stalls now and then stalls more often in longer windows.
    const exposure = { forkserver: 0, idle: 0 }
    // The reference work's time after each spawn: how fast the vCPU was then.
    const reference = []
    let pinned = true
    const turnBlock = async (count, record) => {
      await poolReady(POOL_SIZE)
      const pool = () => {
        const { ready = [], booting = [] } = forkserverInfo()?.pool ?? {}
        return [...ready, ...booting]
      }
      const restore = pinApart([forkserverInfo().pid, ...pool()])
      if (!restore) pinned = false
      try {
        for (let i = 0; i < count; i++) {
          await poolReady(POOL_SIZE)
          const spawn = await longestTurn(async () => {
            const portal = await nursery.startActor('bench', { enableModules: [TASKS], spawnMethod: 'forkserver' })
            await portal.run(add, [1, 2])
            void portal.cancelActor()
          })
          const speed = referenceWork()
          await poolReady(POOL_SIZE)
          const idle = await longestTurn(() => sleep(5))
          if (!record) continue
          turns.forkserver.push(spawn.longest)
          turns['forkserver-own'].push(spawn.longestOwn)
          turns.idle.push(idle.longest)
          turns['idle-own'].push(idle.longestOwn)
          gcPauses += spawn.gcPauses
          reference.push(speed)
          exposure.forkserver += spawn.elapsed
          exposure.idle += idle.elapsed
        }
      } finally {
        await poolReady(POOL_SIZE)
        restore?.(pool())
      }
    }
    const block = async (count, record) => {
      for (const [id, once] of Object.entries(contenders)) {
        for (let i = 0; i < count; i++) {
          const sample = await once()
          if (!record) continue
          samples[id].push(sample.elapsed)
          blocked[id].push(sample.blocked)
          busy[id].push(sample.busy)
        }
        // The actors cancelled in this block exit before the next contender is timed.
        await sleep(50)
      }
      await turnBlock(count, record)
      await sleep(50)
    }
    try {
      await block(warmup, false)
      for (let done = 0; done < runs; done += BLOCK) await block(Math.min(BLOCK, runs - done), true)
    } finally {
      await nursery.close()
      await stopForkserver()
    }
    const base = (id) => (caseId === 'small' ? undefined : `small:${id}`)
    const rows = [
      row(`${caseId}:forkserver`, `${spec.label}: harrow \`forkserver\` (warm, module preloaded)`, samples.forkserver, {
        per: 1,
        baseline: base('forkserver'),
      }),
      row(`${caseId}:process`, `${spec.label}: harrow \`process\``, samples.process, { per: 1, baseline: base('process') }),
      row(`${caseId}:bare`, `${spec.label}: bare \`child_process.spawn\` to first byte`, samples.bare, { per: 1, baseline: base('bare') }),
    ]
    /** Each contender's samples summarised, with their maximum. */
    const withMax = (byId) => Object.fromEntries(Object.entries(byId).map(([id, values]) => [id, { ...summarize(values), max: Math.max(...values) }]))
    const loop = withMax(blocked)
    const active = withMax(busy)
    const fmt = (x) => (x < 1 ? `${(x * 1000).toFixed(0)} µs` : `${x.toFixed(2)} ms`)
    const over = (values) => values.filter((x) => x > 1).length
    // Each sample's turns at the vCPU's usual speed: divided by how much slower the reference work ran right after it
    // than its median over this case (never sped up).
    const usual = summarize(reference).p50
    const slowdown = reference.map((t) => Math.max(1, t / usual))
    turns['forkserver-usual-speed'] = turns['forkserver-own'].map((x, i) => x / slowdown[i])
    turns['idle-usual-speed'] = turns['idle-own'].map((x, i) => x / slowdown[i])
    const turn = withMax(turns)
    const notes = [
      `${spec.label}: the parent's RSS was ${held.rssGiB} GiB (heap ${held.heapGiB} GiB, Buffers ${held.buffersGiB} GiB); its event loop was blocked (beyond the monitor's 1 ms interval) a median ${fmt(loop.forkserver.p50)} per forkserver spawn (max ${fmt(loop.forkserver.max)}), ${fmt(loop.process.p50)} per process spawn (max ${fmt(loop.process.max)}), ${fmt(loop.bare.p50)} per bare spawn (max ${fmt(loop.bare.max)}); over an idle 5 ms window, max ${fmt(loop.idle.max)}. Starting the forkserver (while the parent was small) took ${fmt(serverStart.elapsed)}.`,
      `${spec.label}: the parent's event loop was busy (outside its wait for I/O, in all its turns together) ${fmt(active.forkserver.p50)} p50, ${fmt(active.forkserver.max)} max per forkserver spawn and first call, ${fmt(active.process.p50)} p50, ${fmt(active.process.max)} max per process spawn and first call, ${fmt(active.bare.p50)} p50 per bare spawn.`,
      `${spec.label}: the longest single turn of the parent's event loop over a forkserver spawn and its first call was ${fmt(turn.forkserver.p50)} p50, ${fmt(turn.forkserver.p90)} p90, ${fmt(turn.forkserver.max)} max (n = ${turn.forkserver.n}); with the garbage collector's pauses (${gcPauses} in ${turn.forkserver.n} spawns) and the time the loop's thread waited for a vCPU taken out, ${fmt(turn['forkserver-own'].p50)} p50, ${fmt(turn['forkserver-own'].p90)} p90, ${fmt(turn['forkserver-own'].max)} max, over 1 ms in ${over(turns['forkserver-own'])} spawns; over an idle 5 ms window after each, ${fmt(turn['idle-own'].p50)} p50, ${fmt(turn['idle-own'].max)} max measured the same way, over 1 ms in ${over(turns['idle-own'])} windows (${pinned ? "the parent's loop alone on vCPU 0, its helper threads, the forkserver and its children on the others" : 'not pinned: this machine has one vCPU or no taskset'}).`,
      `${spec.label}: a fixed piece of arithmetic timed after each spawn took ${fmt(usual)} at the median and up to ${Math.max(...slowdown).toFixed(2)}x that; at the vCPU's usual speed (each sample's turns divided by that slowdown), the longest turn so measured was over 1 ms in ${over(turns['forkserver-usual-speed'])} spawns (max ${fmt(turn['forkserver-usual-speed'].max)}) and ${over(turns['idle-usual-speed'])} idle windows.`,
    ]
    return { rows, notes, footprint: held, serverStart, loop, active, turns, turn, gcPauses, exposure, turnsPinned: pinned }
  },
}
