import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { describe, expect, test } from 'vitest'
import type { ExitInfo, ProcHandle } from '../src/shared/contracts.js'
import { ActorCancelledError, ActorFailure } from '../src/shared/errors.js'
import { TIMED_OUT, withinGrace } from '../src/shared/async.js'
import { processState } from '../src/shared/proc-state.js'
import { runStarved } from './starved.js'
import { KILL_GRACE, cancelOnCompletion, exhaustPortal, hardKill, softKill, waitForPeerOrProcDeath, type CancellablePortal } from '../src/parent/lifecycle.js'

/** A child that ends when told, or on the signals it does not ignore. */
class FakeProc implements ProcHandle {
  readonly pid = 4242
  readonly signals: string[] = []
  exit: ExitInfo | undefined
  readonly #ignores: ReadonlySet<string>
  #end!: (exit: ExitInfo) => void
  readonly #exited = new Promise<ExitInfo>((resolve) => (this.#end = resolve))

  constructor(ignores: string[] = []) {
    this.#ignores = new Set(ignores)
  }

  end(exit: ExitInfo): void {
    if (this.exit) return
    this.exit = exit
    this.#end(exit)
  }

  wait(): Promise<ExitInfo> {
    return this.#exited
  }

  terminate(): void {
    this.signals.push('SIGTERM')
    if (!this.#ignores.has('SIGTERM')) setTimeout(() => this.end({ code: null, signal: 'SIGTERM' }), 5)
  }

  kill(): void {
    this.signals.push('SIGKILL')
    setTimeout(() => this.end({ code: null, signal: 'SIGKILL' }), 5)
  }
}

function portalFor(proc: FakeProc, behaviour: { acks?: boolean; result?: Promise<unknown> } = {}): CancellablePortal & { cancels: number } {
  const portal = {
    actor: { name: 'fake', uid: 'uid-1' },
    cancels: 0,
    result: () => behaviour.result ?? Promise.resolve('done'),
    cancelActor: () => {
      portal.cancels++
      if (behaviour.acks) setTimeout(() => proc.end({ code: 0, signal: null }), 5)
      return Promise.resolve(behaviour.acks ?? false)
    },
  }
  return portal
}

describe('lifecycle helpers', () => {
  test('hardKill returns at once for a child that already exited', async () => {
    const proc = new FakeProc()
    proc.end({ code: 0, signal: null })
    expect(await hardKill(proc, { terminateAfter: 10_000 })).toEqual({ code: 0, signal: null })
    expect(proc.signals).toEqual([])
  })

  test('hardKill terminates after terminateAfter, then kills a child that ignores SIGTERM', async () => {
    const polite = new FakeProc()
    expect(await hardKill(polite, { terminateAfter: 20 })).toEqual({ code: null, signal: 'SIGTERM' })
    expect(polite.signals).toEqual(['SIGTERM'])

    const stubborn = new FakeProc(['SIGTERM'])
    const started = performance.now()
    expect(await hardKill(stubborn, { terminateAfter: 20 })).toEqual({ code: null, signal: 'SIGKILL' })
    expect(stubborn.signals).toEqual(['SIGTERM', 'SIGKILL'])
    expect(performance.now() - started).toBeGreaterThanOrEqual(20 + KILL_GRACE - 5)
  })

  test('softKill only waits while its signal has not aborted', async () => {
    const proc = new FakeProc()
    const portal = portalFor(proc)
    const controller = new AbortController()
    const waiting = softKill(proc, portal, { signal: controller.signal })
    setTimeout(() => proc.end({ code: 0, signal: null }), 10)
    expect(await waiting).toEqual({ code: 0, signal: null })
    expect(portal.cancels).toBe(0)
  })

  test('softKill asks the child to cancel when its signal aborts, and a child that acknowledges is not killed', async () => {
    const proc = new FakeProc()
    const portal = portalFor(proc, { acks: true })
    expect(await softKill(proc, portal, { signal: AbortSignal.abort(), terminateAfter: 5000 })).toEqual({ code: 0, signal: null })
    expect(portal.cancels).toBe(1)
    expect(proc.signals).toEqual([])
  })

  test('softKill falls through to hardKill within the same terminateAfter budget', async () => {
    const proc = new FakeProc(['SIGTERM'])
    const portal = portalFor(proc, { acks: false })
    expect(await softKill(proc, portal, { signal: AbortSignal.abort(), terminateAfter: 30 })).toEqual({ code: null, signal: 'SIGKILL' })
    expect(proc.signals).toEqual(['SIGTERM', 'SIGKILL'])
  })

  test('waitForPeerOrProcDeath turns a child that dies first into a boot ActorFailure with its exit code', async () => {
    const proc = new FakeProc()
    const peer = new Promise<never>(() => {})
    setTimeout(() => proc.end({ code: 7, signal: null }), 5)
    const failure = await waitForPeerOrProcDeath(peer, proc, { name: 'early', uid: 'u' }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(ActorFailure)
    expect(failure).toMatchObject({ phase: 'boot', exitCode: 7, actor: { name: 'early' } })
  })

  test('waitForPeerOrProcDeath names file descriptor exhaustion when the child died of it, whatever its own error says', () => {
    // A worker thread out of descriptors can report a missing module (Node reads an unopenable package.json as
    // absent): in a process with `ulimit -n 32`, the descriptors used up, the failure must still say EMFILE.
    const failure = runStarved<{ name: string; message: string; cause: string }>(`
      const exit = { code: 1, signal: null, error: new Error("Cannot find module '/app/node_modules/@harrow/core/child'") }
      const proc = { pid: 1, wait: () => Promise.resolve(exit), kill: () => {}, exitInfo: () => exit }
      const failure = await core.waitForPeerOrProcDeath(new Promise(() => {}), proc, { name: 'starved', uid: 'u' }).catch((e) => e)
      process.stdout.write(JSON.stringify({ name: failure.name, message: failure.message, cause: failure.cause?.message }))
    `)
    expect(failure.name).toBe('ActorFailure')
    expect(failure.message).toMatch(
      /^actor 'starved' exited with code 1 during boot: EMFILE: too many open files.*raise `ulimit -n`.*; its own error: Cannot find module/,
    )
    expect(failure.cause).toMatch(/Cannot find module/)
  })

  test('waitForPeerOrProcDeath prefers what the child said before dying', async () => {
    const proc = new FakeProc()
    const said = new Error('import failed')
    const peer = new Promise<never>((_, reject) => setTimeout(() => reject(said), 20))
    proc.end({ code: 1, signal: null })
    await expect(waitForPeerOrProcDeath(peer, proc, { name: 'x', uid: 'u' })).rejects.toBe(said)
    expect(await waitForPeerOrProcDeath(Promise.resolve('hello'), new FakeProc(), { name: 'x', uid: 'u' })).toBe('hello')
  })

  test('withinGrace still reads what a dead child wrote when this process was off its CPU for longer than the grace', async () => {
    const child = spawn('sh', ['-c', 'printf "last words"'], { stdio: ['ignore', 'pipe', 'ignore'] })
    const exited = once(child, 'exit')
    let said = ''
    child.stdout.on('data', (chunk: Buffer) => (said += chunk.toString()))
    const ended = once(child.stdout, 'end').then(() => said)
    const grace = withinGrace(ended, 20)
    // Blocked past the grace (as a descheduled parent is) until the child has written and exited (a zombie, not yet
    // reaped): when the loop runs again, the grace's timer is due before the pipe is polled.
    const started = performance.now()
    while (performance.now() - started < 50 || (processState(child.pid ?? 0)?.zombie !== true && performance.now() - started < 10_000)) {
      // busy
    }
    expect(await grace).toBe('last words')
    await exited
  })

  test('withinGrace times out once the grace ran out and nothing more was readable', async () => {
    const never = new Promise<never>(() => {})
    expect(await withinGrace(never, 10)).toBe(TIMED_OUT)
  })

  test('exhaustPortal gives the result or the error as a value; cancelOnCompletion records errors and cancels', async () => {
    const proc = new FakeProc()
    const error = new Error('failed')
    expect(await exhaustPortal(portalFor(proc))).toBe('done')
    expect(await exhaustPortal(portalFor(proc, { result: Promise.reject(error) }))).toBe(error)
    const errors = new Map<string, Error>()
    const failing = portalFor(proc, { result: Promise.reject(error) })
    await cancelOnCompletion(failing, errors)
    expect(errors.get('uid-1')).toBe(error)
    expect(failing.cancels).toBe(1)
  })

  test('cancelOnCompletion counts an error thrown, not one returned, and never a cancellation', async () => {
    const proc = new FakeProc()
    const errors = new Map<string, Error>()
    const returned = portalFor(proc, { result: Promise.resolve(new Error('a value')) })
    await cancelOnCompletion(returned, errors)
    const cancelled = portalFor(proc, { result: Promise.reject(new ActorCancelledError('cancelled')) })
    await cancelOnCompletion(cancelled, errors)
    expect(errors.size).toBe(0)
    expect([returned.cancels, cancelled.cancels]).toEqual([1, 1])
  })

  test("cancelOnCompletion keeps an actor's first failure, tells onFailure of each, and stops the actor with cancel when given", async () => {
    const proc = new FakeProc()
    const first = new Error('first')
    const errors = new Map<string, Error>([['uid-1', first]])
    const later = new Error('later')
    const failing = portalFor(proc, { result: Promise.reject(later) })
    const told: Error[] = []
    let stopped = 0
    await cancelOnCompletion(failing, errors, {
      onFailure: (error) => told.push(error),
      cancel: () => {
        stopped++
        return Promise.resolve()
      },
    })
    expect(errors.get('uid-1')).toBe(first)
    expect(told).toEqual([later])
    expect(stopped).toBe(1)
    expect(failing.cancels).toBe(0)
  })
})
