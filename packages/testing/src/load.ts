/**
 * A load driver: many actors, each serving many concurrent calls, checked for
 * exactly-once answers, with the parent's memory sampled after warm-up. The
 * conformance suite runs it briefly on every backend; `pnpm soak` runs it for
 * a minute across all of them.
 */

import { openNursery, type Portal, type SpawnMethodKey } from '@harrow/core'
import { fixtureModules, task } from './fixture-modules.js'

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** Spawn methods to spread the actors over, round-robin. */
  readonly backends: readonly SpawnMethodKey[]
  /** How many actors in all. */
  readonly actors: number
  /** How long to keep them busy, in ms. */
  readonly duration: number
  /** Calls in flight per actor. @default 8 */
  readonly concurrency?: number
  /** Fraction of the run that counts as warm-up for the memory figures. @default 0.25 */
  readonly warmUp?: number
}

/** What a load run measured. */
export interface LoadReport {
  /** Actors that served. */
  readonly actors: number
  /** Requests answered. */
  readonly requests: number
  /** Requests answered per second over the whole run. */
  readonly perSecond: number
  /** Answers whose id did not match the request, or that came twice. */
  readonly wrongAnswers: number
  /** Ids an actor served more than once, or requests it never saw, summed over actors. */
  readonly duplicates: number
  /** Requests sent that no actor reports having served. */
  readonly unserved: number
  /** The parent's RSS once warm-up was over, in bytes. */
  readonly rssAfterWarmUp: number
  /** The parent's RSS at the end of the run, in bytes. */
  readonly rssAtEnd: number
  /** The highest RSS sampled during the run, in bytes. */
  readonly rssPeak: number
}

/** Run the load described by `options` and report it; every actor is reaped before this resolves. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const concurrency = options.concurrency ?? 8
  const nursery = await openNursery({ startupTimeout: 120_000 })
  try {
    const portals: Portal[] = []
    // Spawned in small batches: a burst of hundreds of boots on two cores only measures the scheduler.
    for (let i = 0; i < options.actors; i += 10) {
      const batch = Array.from({ length: Math.min(10, options.actors - i) }, (_, j) =>
        nursery.startActor(`load-${i + j}`, {
          enableModules: [fixtureModules.tasks],
          spawnMethod: options.backends[(i + j) % options.backends.length] as SpawnMethodKey,
        }),
      )
      portals.push(...(await Promise.all(batch)))
    }
    let nextId = 0
    let requests = 0
    let wrongAnswers = 0
    const sent = new Map<Portal, number>()
    const payload = 'x'.repeat(256)
    const started = performance.now()
    const warmUpEnds = started + options.duration * (options.warmUp ?? 0.25)
    let rssAfterWarmUp = 0
    let rssPeak = 0
    const sampler = setInterval(() => {
      const rss = process.memoryUsage().rss
      rssPeak = Math.max(rssPeak, rss)
      if (!rssAfterWarmUp && performance.now() >= warmUpEnds) rssAfterWarmUp = rss
    }, 200)
    const worker = async (portal: Portal): Promise<void> => {
      while (performance.now() - started < options.duration) {
        const id = nextId++
        sent.set(portal, (sent.get(portal) ?? 0) + 1)
        const answer = await portal.run<{ id: number; size: number }>(task('serveRequest'), [id, payload])
        requests++
        if (answer.id !== id || answer.size !== payload.length) wrongAnswers++
      }
    }
    await Promise.all(portals.flatMap((portal) => Array.from({ length: concurrency }, () => worker(portal))))
    clearInterval(sampler)
    const elapsed = performance.now() - started
    let duplicates = 0
    let unserved = 0
    for (const portal of portals) {
      const report = await portal.run<{ served: number; duplicates: number }>(task('servedReport'))
      duplicates += report.duplicates
      unserved += (sent.get(portal) ?? 0) - report.served
    }
    const rssAtEnd = process.memoryUsage().rss
    return {
      actors: portals.length,
      requests,
      perSecond: Math.round((requests / elapsed) * 1000),
      wrongAnswers,
      duplicates,
      unserved,
      rssAfterWarmUp: rssAfterWarmUp || rssAtEnd,
      rssAtEnd,
      rssPeak: Math.max(rssPeak, rssAtEnd),
    }
  } finally {
    await nursery.close()
  }
}
