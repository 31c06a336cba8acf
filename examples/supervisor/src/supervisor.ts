/**
 * A one-for-one supervisor built on nurseries: it keeps one daemon actor
 * running, restarts it with exponential back-off when it dies, and gives up
 * after `maxRestarts`. Each incarnation lives in a nursery of its own, so a
 * crash is reaped and reported before the next one starts.
 */

import { setTimeout as sleep } from 'node:timers/promises'
import { isHarrowError, withNursery, type ActorOptions, type FnRef, type Portal } from '@harrow/core'

/** Options of a {@link Supervisor}. */
export interface SupervisorOptions {
  /** The actor's options; `enableModules` must include `lifetime.module`. */
  readonly actor: ActorOptions
  /** An export that runs for as long as the actor lives (see service.ts's `lifetime`). */
  readonly lifetime: FnRef
  /** Restarts allowed before the supervisor gives up. */
  readonly maxRestarts: number
  /** Back-off before the first restart, doubled for each one after it, in ms. */
  readonly backoff: number
  /** Where the supervisor reports what it does. */
  readonly log: (line: string) => void
}

interface Incarnation {
  readonly promise: Promise<Portal>
  resolve(portal: Portal): void
  reject(error: unknown): void
  portal?: Portal
}

function incarnation(): Incarnation {
  let resolve!: (portal: Portal) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<Portal>((res, rej) => {
    resolve = res
    reject = rej
  })
  promise.catch(() => {}) // nobody may be waiting when the supervisor gives up
  return { promise, resolve, reject }
}

/** Keeps the actor `name` running; see the module comment. */
export class Supervisor {
  readonly #name: string
  readonly #options: SupervisorOptions
  readonly #stop = new AbortController()
  #current = incarnation()
  /** Settles when the supervisor stopped or gave up (then it rejects with why). */
  readonly done: Promise<void>

  constructor(name: string, options: SupervisorOptions) {
    this.#name = name
    this.#options = options
    this.done = this.#loop()
  }

  /**
   * Call `fn` on the running incarnation, waiting for it if it is restarting.
   * A call that the crash interrupts fails with the crash's `ActorFailure`:
   * callers see it and decide whether to retry.
   *
   * @throws Error once the supervisor has given up (its `cause` is the last crash).
   */
  async call<T>(fn: FnRef, args: readonly unknown[] = []): Promise<T> {
    const current = this.#current
    const portal = await current.promise
    try {
      return await portal.run<T>(fn, args)
    } catch (error) {
      this.#down(current)
      throw error
    }
  }

  /** Cancel the running incarnation and stop restarting. Resolves once it is reaped, or at once if the supervisor gave up. */
  async stop(): Promise<void> {
    this.#stop.abort()
    await this.done.catch(() => {})
  }

  /** No incarnation will follow: calls waiting for one, and calls from now on, fail with `why`. */
  #end(why: Error): void {
    if (this.#current.portal) this.#current = incarnation() // the last one was up: calls need a pending one to fail
    this.#current.reject(why)
  }

  /** The incarnation `dead` is gone: callers wait for the next one from now on. */
  #down(dead: Incarnation): void {
    if (this.#current === dead && dead.portal) this.#current = incarnation()
  }

  async #loop(): Promise<void> {
    const { actor, lifetime, maxRestarts, backoff, log } = this.#options
    const stopped = (): void => this.#end(new Error(`supervisor of '${this.#name}' was stopped`))
    for (let restarts = 0; ; restarts++) {
      const current = this.#current
      try {
        await withNursery(
          async (nursery) => {
            const portal = await nursery.startActor(this.#name, actor)
            log(`supervisor: '${this.#name}' is up (pid ${portal.actor.pid})${restarts ? `, restart ${restarts} of ${maxRestarts}` : ''}`)
            current.portal = portal
            current.resolve(portal)
            try {
              // Resolves only when cancelled; rejects with ActorFailure the moment the actor dies.
              await portal.run(lifetime)
            } finally {
              this.#down(current)
            }
          },
          { signal: this.#stop.signal },
        )
        return stopped() // the lifetime call returned: stop() cancelled it
      } catch (error) {
        if (this.#stop.signal.aborted) return stopped() // stop() cancelled the nursery
        if (!isHarrowError(error)) throw error // a bug in this loop, not a crash of the actor
        log(`supervisor: '${this.#name}' died: ${error.name}: ${error.message}`)
        if (restarts === maxRestarts) {
          const gaveUp = new Error(`supervisor gave up on '${this.#name}' after ${maxRestarts} restarts`, { cause: error })
          this.#end(gaveUp)
          log(`supervisor: ${gaveUp.message}`)
          throw gaveUp
        }
        const delay = backoff * 2 ** restarts
        log(`supervisor: restarting '${this.#name}' in ${delay} ms`)
        await sleep(delay, undefined, { signal: this.#stop.signal }).catch(() => {})
        if (this.#stop.signal.aborted) return stopped()
      }
    }
  }
}
