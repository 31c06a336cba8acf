import { describe, expect, test } from 'vitest'
import { deferred, type Deferred } from '../src/shared/async.js'
import { ActorCancelledError, ActorFailure, ActorPoolError, HarrowError, PoolQueueFullError } from '../src/shared/errors.js'
import { ActorPool, type PoolHost, type PoolOptions, type Supervisor } from '../src/parent/pool.js'
import type { ActorHandle } from '../src/parent/spawn.js'
import type { FnRef } from '../src/shared/ref.js'

const work: FnRef = { module: 'file:///tasks.mjs', name: 'work' }

interface Call {
  readonly member: FakeMember
  readonly args: readonly unknown[]
  readonly outcome: Deferred<unknown>
}

/** A pool member without a process: its calls wait until the test settles them. */
class FakeMember {
  readonly calls: Call[] = []
  alive = true
  readonly actor: { name: string; uid: string; spawnMethod: string }
  readonly #supervisor: Supervisor

  constructor(name: string, supervisor: Supervisor) {
    this.actor = { name, uid: `${name}-${Math.random()}`, spawnMethod: 'fake' }
    this.#supervisor = supervisor
    this.portal.actor = this.actor
  }

  readonly portal = {
    actor: undefined as unknown as { name: string },
    run: (_fn: FnRef, args: readonly unknown[], options: { signal?: AbortSignal } = {}): Promise<unknown> => {
      const outcome = deferred<unknown>()
      if (!this.alive) outcome.reject(new ActorFailure({ actor: this.actor, exitCode: 1, signal: null, phase: 'running' }))
      else {
        this.calls.push({ member: this, args, outcome })
        options.signal?.addEventListener('abort', () => outcome.reject(new ActorCancelledError('cancelled')), { once: true })
      }
      return outcome.promise
    },
    stream: () => {
      const ended = deferred<IteratorResult<unknown>>()
      ended.promise.catch(() => {}) // read only if the consumer reads on
      this.streams.push(ended)
      let items = 1
      return {
        // One item at once, then the stream waits (until the member dies).
        next: () => (items-- > 0 ? Promise.resolve({ done: false, value: 0 }) : ended.promise),
        return: () => Promise.resolve({ done: true, value: undefined }),
      }
    },
  }

  readonly streams: Deferred<IteratorResult<unknown>>[] = []

  /** Die: running calls fail with ActorFailure, then the nursery reports the end. */
  crash(): void {
    this.alive = false
    const failure = new ActorFailure({ actor: this.actor, exitCode: null, signal: 'SIGKILL', phase: 'running' })
    for (const call of this.calls) call.outcome.reject(failure)
    for (const stream of this.streams) stream.reject(failure)
    setTimeout(() => this.#supervisor(failure), 1)
  }

  stop(): Promise<void> {
    if (!this.alive) return Promise.resolve()
    this.alive = false
    for (const call of this.calls) call.outcome.reject(new ActorCancelledError('stopped'))
    this.#supervisor(undefined)
    return Promise.resolve()
  }
}

class FakeHost implements PoolHost {
  readonly members: FakeMember[] = []
  readonly failures: Error[] = []
  readonly #cancel = new AbortController()
  readonly signal = this.#cancel.signal
  spawnDelay = 0
  /** Boot times of particular members, in ms (others take `spawnDelay`). */
  readonly delays = new Map<string, number>()
  /** Members whose next boots fail, and how many of them. */
  readonly bootFailures = new Map<string, number>()

  async spawn(name: string, _options: unknown, supervisor: Supervisor): Promise<ActorHandle> {
    await new Promise((resolve) => setTimeout(resolve, this.delays.get(name) ?? this.spawnDelay))
    const failing = this.bootFailures.get(name) ?? 0
    if (failing > 0) {
      this.bootFailures.set(name, failing - 1)
      throw new ActorFailure({ actor: { name, uid: name }, exitCode: 1, signal: null, phase: 'boot' })
    }
    const member = new FakeMember(name, supervisor)
    this.members.push(member)
    return member as unknown as ActorHandle
  }

  fail(_key: string, error: Error): void {
    this.failures.push(error)
  }

  isOpen(): boolean {
    return !this.signal.aborted
  }

  /** Calls not settled yet, in the order they reached members. */
  running(): Call[] {
    return this.members.flatMap((m) => m.calls).filter((c) => !settled.has(c))
  }
}

const settled = new WeakSet<Call>()
function finish(call: Call | undefined, value: unknown): void {
  if (!call) throw new Error('no such call')
  settled.add(call)
  call.outcome.resolve(value)
}

/** Poll `predicate` (bounded: a loaded machine delays timers). */
async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !predicate(); i++) await tick(20)
  expect(predicate()).toBe(true)
}

const tick = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function open(options: PoolOptions = {}): Promise<{ host: FakeHost; pool: ActorPool }> {
  const host = new FakeHost()
  const pool = await ActorPool.start(host, 'p', { size: 2, ready: 'all', ...options })
  return { host, pool }
}

describe('ActorPool', () => {
  test('members named <name>-<i> boot in parallel, not one after another', async () => {
    const host = new FakeHost()
    host.spawnDelay = 300
    const started = performance.now()
    const pool = await ActorPool.start(host, 'p', { size: 4, ready: 'all' })
    // Four 300 ms boots in a row would take 1200 ms; in parallel about 300, with room for a loaded machine.
    expect(performance.now() - started).toBeLessThan(1000)
    expect(host.members.map((m) => m.actor.name)).toEqual(['p-0', 'p-1', 'p-2', 'p-3'])
    expect(pool.size).toBe(4)
    await pool.close()
  })

  test("startPool resolves once the first member serves (ready: 'first', the default); calls go to the others as they come up", async () => {
    const host = new FakeHost()
    host.delays.set('p-1', 300)
    const pool = await ActorPool.start(host, 'p', { size: 2 })
    expect(pool.members.map((m) => m.actor.name)).toEqual(['p-0'])
    expect(pool.size).toBe(2)
    const calls = [pool.run(work, [1]), pool.run(work, [2])]
    await tick()
    expect(host.running().map((c) => [c.member.actor.name, c.args[0]])).toEqual([['p-0', 1]])
    expect(pool.stats()).toMatchObject({ inFlight: 1, queued: 1 })
    await until(() => host.running().length === 2)
    expect(host.running().map((c) => [c.member.actor.name, c.args[0]])).toEqual([
      ['p-0', 1],
      ['p-1', 2],
    ])
    for (const call of host.running()) finish(call, call.args[0])
    expect(await Promise.all(calls)).toEqual([1, 2])
    await pool.close()
  })

  test("resize waits for the members still booting since a ready: 'first' start, not only for the ones it adds", async () => {
    const host = new FakeHost()
    host.delays.set('p-1', 200)
    const pool = await ActorPool.start(host, 'p', { size: 2 })
    expect(pool.members.map((m) => m.actor.name)).toEqual(['p-0'])
    await pool.resize(3)
    expect(pool.members.map((m) => m.actor.name).sort()).toEqual(['p-0', 'p-1', 'p-2'])
    await pool.close()
  })

  test("with ready: 'first', a boot that fails before any member serves rejects startPool; one that fails after is a crash, replaced", async () => {
    const doomed = new FakeHost()
    doomed.bootFailures.set('p-0', 1)
    doomed.delays.set('p-1', 200)
    await expect(ActorPool.start(doomed, 'p', { size: 2 })).rejects.toMatchObject({ name: 'ActorFailure', phase: 'boot' })
    await until(() => doomed.members.every((m) => !m.alive))

    const host = new FakeHost()
    host.bootFailures.set('p-1', 1)
    host.delays.set('p-1', 50)
    const pool = await ActorPool.start(host, 'p', { size: 2, restart: { backoff: 10 } })
    await until(() => pool.members.length === 2)
    expect(pool.stats()).toMatchObject({ restarts: 1, size: 2 })
    expect(host.failures).toEqual([])
    await pool.close()
  })

  test("with ready: 'all', startPool resolves once every member serves and rejects if any fails to boot", async () => {
    const host = new FakeHost()
    host.delays.set('p-1', 100)
    const pool = await ActorPool.start(host, 'p', { size: 2, ready: 'all' })
    expect(pool.members.map((m) => m.actor.name).sort()).toEqual(['p-0', 'p-1'])
    await pool.close()

    const doomed = new FakeHost()
    doomed.bootFailures.set('p-1', 1)
    doomed.delays.set('p-1', 100)
    await expect(ActorPool.start(doomed, 'p', { size: 2, ready: 'all' })).rejects.toMatchObject({ name: 'ActorFailure', phase: 'boot' })
    expect(doomed.members.every((m) => !m.alive)).toBe(true)
  })

  test('each call goes to the member with the fewest calls in flight, up to concurrency', async () => {
    const { host, pool } = await open({ concurrency: 2 })
    const results = [1, 2, 3, 4, 5].map((i) => pool.run(work, [i]))
    await tick()
    const [a, b] = host.members as [FakeMember, FakeMember]
    // Alternating: a, b, a, b; the fifth waits.
    expect(a.calls.map((c) => c.args[0])).toEqual([1, 3])
    expect(b.calls.map((c) => c.args[0])).toEqual([2, 4])
    expect(pool.stats()).toMatchObject({ inFlight: 4, queued: 1 })
    finish(b.calls[0], 'two')
    await tick()
    expect(b.calls.map((c) => c.args[0])).toEqual([2, 4, 5])
    for (const call of host.running()) finish(call, `r${String(call.args[0])}`)
    expect(await Promise.all(results)).toEqual(['r1', 'two', 'r3', 'r4', 'r5'])
    expect(pool.stats()).toMatchObject({ inFlight: 0, queued: 0, completed: 5, failed: 0 })
    await pool.close()
  })

  test('a full queue rejects with PoolQueueFullError; whenFull: wait holds the call outside the queue', async () => {
    const { host, pool } = await open({ size: 1, maxQueue: 1 })
    const first = pool.run(work, [1])
    const second = pool.run(work, [2])
    await expect(pool.run(work, [3])).rejects.toBeInstanceOf(PoolQueueFullError)
    for (let call = host.running()[0]; call; call = host.running()[0]) {
      finish(call, call.args[0])
      await tick()
    }
    expect(await Promise.all([first, second])).toEqual([1, 2])
    await pool.close()

    const waiting = await open({ size: 1, maxQueue: 1, whenFull: 'wait' })
    const calls = [1, 2, 3].map((i) => waiting.pool.run(work, [i]))
    expect(waiting.pool.stats()).toMatchObject({ inFlight: 1, queued: 1, waiting: 1 })
    for (let call = waiting.host.running()[0]; call; call = waiting.host.running()[0]) {
      finish(call, call.args[0])
      await tick()
    }
    expect(await Promise.all(calls)).toEqual([1, 2, 3])
    await waiting.pool.close()
  })

  test('a queued call whose signal aborts is withdrawn and never reaches a member', async () => {
    const { host, pool } = await open({ size: 1 })
    const running = pool.run(work, [1])
    const abort = new AbortController()
    const queued = pool.run(work, [2], { signal: abort.signal })
    const after = pool.run(work, [3])
    abort.abort()
    await expect(queued).rejects.toBeInstanceOf(ActorCancelledError)
    finish(host.running()[0], 1)
    await tick()
    finish(host.running()[0], 3)
    expect(await Promise.all([running, after])).toEqual([1, 3])
    expect(host.members[0]?.calls.map((c) => c.args[0])).toEqual([1, 3])
    await pool.close()
  })

  test("a crash fails only the dead member's calls; queued calls go on; the member is replaced after its back-off", async () => {
    const { host, pool } = await open({ restart: { backoff: 20 } })
    const calls = [1, 2, 3, 4].map((i) => pool.run(work, [i]).catch((e: unknown) => e))
    await tick()
    const [a] = host.members as [FakeMember]
    a.crash()
    await tick()
    expect(host.members).toHaveLength(2)
    await until(() => host.members.length === 3 && pool.members.length === 2)
    expect(pool.stats().restarts).toBe(1)
    for (let call = host.running()[0]; call; call = host.running()[0]) {
      finish(call, call.args[0])
      await tick()
    }
    const outcomes = await Promise.all(calls)
    expect(outcomes[0]).toBeInstanceOf(ActorFailure)
    expect(outcomes.slice(1)).toEqual([2, 3, 4])
    expect(host.failures).toEqual([])
    await pool.close()
  })

  test("a stream left unread on a member that died does not count against the member's replacement", async () => {
    const { host, pool } = await open({ size: 1, restart: { backoff: 1 } })
    const stream = pool.stream(work)
    expect(await stream.next()).toEqual({ done: false, value: 0 })
    // The consumer stops reading here: its member stays busy with the stream until it dies.
    host.members[0]?.crash()
    await until(() => host.members.length === 2 && pool.members.length === 1)
    const call = pool.run(work, [1])
    await tick()
    expect(host.members[1]?.calls).toHaveLength(1)
    finish(host.members[1]?.calls[0], 1)
    expect(await call).toBe(1)
    await expect(stream.next()).rejects.toBeInstanceOf(ActorFailure)
    await pool.close()
  })

  test('past maxRestarts within the window the pool fails its nursery with ActorPoolError and refuses calls', async () => {
    const { host, pool } = await open({ size: 1, restart: { maxRestarts: 1, backoff: 1 } })
    host.members[0]?.crash()
    await until(() => pool.members.length === 1 && host.members.length === 2)
    host.members[1]?.crash()
    await until(() => host.failures.length > 0)
    expect(host.failures).toHaveLength(1)
    expect(host.failures[0]).toBeInstanceOf(ActorPoolError)
    expect(host.failures[0]).toMatchObject({ pool: 'p', restarts: 2 })
    await expect(pool.run(work)).rejects.toBeInstanceOf(ActorPoolError)
    await pool.close()
  })

  test('resize grows and shrinks; a removed member finishes its call before it stops', async () => {
    const { host, pool } = await open({ size: 2 })
    const slow = [pool.run(work, [1]), pool.run(work, [2])]
    await pool.resize(3)
    expect(pool.members.map((m) => m.actor.name)).toEqual(['p-0', 'p-1', 'p-2'])
    let shrunk = false
    const shrinking = pool.resize(1).then(() => (shrunk = true))
    await tick()
    expect(shrunk).toBe(false) // p-1 still runs call 2
    expect(host.members[1]?.alive).toBe(true)
    expect(host.members[2]?.alive).toBe(false)
    for (const call of host.running()) finish(call, call.args[0])
    await shrinking
    expect(await Promise.all(slow)).toEqual([1, 2])
    expect(pool.size).toBe(1)
    await pool.close()
  })

  test('close() drains; close({ drain: false }) cancels what waits; later calls are refused', async () => {
    const { host, pool } = await open({ size: 1 })
    const calls = [1, 2].map((i) => pool.run(work, [i]))
    let closed = false
    const closing = pool.close().then(() => (closed = true))
    await expect(pool.run(work, [9])).rejects.toBeInstanceOf(HarrowError)
    finish(host.running()[0], 1)
    await tick()
    expect(closed).toBe(false)
    finish(host.running()[0], 2)
    await closing
    expect(await Promise.all(calls)).toEqual([1, 2])
    expect(host.members.every((m) => !m.alive)).toBe(true)

    const other = await open({ size: 1 })
    const dropped = [1, 2].map((i) => other.pool.run(work, [i]).catch((e: unknown) => e))
    await other.pool.close({ drain: false })
    for (const outcome of await Promise.all(dropped)) expect(outcome).toBeInstanceOf(ActorCancelledError)
  })

  test('a member stopped by its nursery ends the pool: waiting calls fail with ActorCancelledError, nothing is replaced', async () => {
    const { host, pool } = await open({ size: 1 })
    const running = pool.run(work, [1]).catch((e: unknown) => e)
    const queued = pool.run(work, [2]).catch((e: unknown) => e)
    await host.members[0]?.stop()
    expect(await running).toBeInstanceOf(ActorCancelledError)
    expect(await queued).toBeInstanceOf(ActorCancelledError)
    await tick(50)
    expect(host.members).toHaveLength(1)
    expect(host.failures).toEqual([])
    await pool.close()
  })

  test('sizes and limits are checked', async () => {
    await expect(ActorPool.start(new FakeHost(), 'p', { size: 0 })).rejects.toBeInstanceOf(RangeError)
    await expect(ActorPool.start(new FakeHost(), 'p', { size: 1, concurrency: 1.5 })).rejects.toBeInstanceOf(RangeError)
    await expect(ActorPool.start(new FakeHost(), 'p', { size: 1, maxQueue: -1 })).rejects.toBeInstanceOf(RangeError)
    await expect(ActorPool.start(new FakeHost(), 'p', { size: 1, ready: 'some' as 'all' })).rejects.toBeInstanceOf(RangeError)
  })
})
