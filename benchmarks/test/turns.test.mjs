// The event-loop measurement that judges issue #5's target: it must see a blocked turn, take out a collector's
// pause, and judge spawns against idle windows.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { evaluateTargets } from '../src/targets.mjs'
import { SLOTS, longestTurn, referenceWork } from '../src/turns.mjs'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

describe('longestTurn', () => {
  it('reports a turn that blocks the loop, and what fn returned', async () => {
    let blocked = 0
    const result = await longestTurn(async () => {
      await sleep(2)
      // Sixty runs of the reference work (it runs three times per call) in one turn: about 30 ms of CPU here.
      const started = performance.now()
      for (let i = 0; i < 20; i++) referenceWork()
      blocked = performance.now() - started
      await sleep(2)
      return 'done'
    })
    expect(result.value).toBe('done')
    expect(result.longest).toBeGreaterThanOrEqual(blocked)
    // Less the time other threads had the vCPU meanwhile (on a loaded machine), the work itself is left.
    expect(result.longestOwn).toBeGreaterThan(3)
    expect(result.longestOwn).toBeLessThanOrEqual(result.longest)
    expect(result.turns).toBeGreaterThan(2)
    expect(result.elapsed).toBeGreaterThanOrEqual(blocked)
  })

  it("takes a garbage collector's pause out of the turn it lands in", async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc')
    // Enough live objects that a full collection takes milliseconds.
    const live = Array.from({ length: 300_000 }, (_, i) => ({ i, next: null }))
    const result = await longestTurn(async () => {
      await sleep(1)
      gc()
      await sleep(1)
    })
    expect(live.length).toBe(300_000)
    expect(result.gcPauses).toBeGreaterThanOrEqual(1)
    expect(result.longest - result.longestOwn).toBeGreaterThan(0.5)
  })

  it('refuses to report a stretch longer than it has room for', async () => {
    // Counted in turns, not time: how many turns a stretch of time holds depends on the machine and its load.
    const moreTurnsThanSlots = async () => {
      for (let i = 0; i <= SLOTS; i++) await new Promise((resolve) => setImmediate(resolve))
    }
    await expect(longestTurn(moreTurnsThanSlots)).rejects.toThrow(RangeError)
  })
})

describe('referenceWork', () => {
  it('times a fixed piece of work', () => {
    const time = referenceWork()
    expect(Number.isFinite(time)).toBe(true)
    expect(time).toBeGreaterThan(0)
  })
})

describe("issue #5's target", () => {
  const target = (spawns, idle) => {
    const n = 40
    const values = (over) => Array.from({ length: n }, (_, i) => (i < over ? 1.5 : 0.3))
    const turns = { 'forkserver-usual-speed': values(spawns), 'idle-usual-speed': values(idle), 'forkserver-own': values(spawns), 'idle-own': values(idle) }
    const summary = { p50: 0.3, max: spawns > 0 ? 1.5 : 0.3 }
    const kase = {
      id: 'small',
      label: 'small parent',
      turns,
      exposure: { forkserver: 200, idle: 200 },
      turn: { 'forkserver-own': summary },
      loop: { process: { max: 80 } },
    }
    return evaluateTargets({ 'parent-memory': { cases: [kase] } }).find((t) => t.target.startsWith('forkserver spawn never blocks'))
  }

  it('is met when spawns have no more long turns than idle windows', () => {
    expect(target(0, 0)?.met).toBe(true)
    expect(target(2, 1)?.met).toBe(true)
  })

  it('is missed when spawns have clearly more', () => {
    expect(target(8, 1)?.met).toBe(false)
    expect(target(5, 0)?.met).toBe(false)
  })

  it('is not judged without measurements', () => {
    expect(evaluateTargets({}).find((t) => t.target.startsWith('forkserver spawn never blocks'))?.met).toBeUndefined()
  })
})
