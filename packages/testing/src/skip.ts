/** `skipOnSpawnBackend`: skip a file, a `describe` or a test on some backends, by key checked against the union. */

import { knownSpawnMethods, type SpawnMethodKey } from '@harrow/core'
import { TestRunner, beforeEach } from 'vitest'
import { projectSpawnMethod } from './provided.js'

/** Options of {@link skipOnSpawnBackend}. */
export interface SkipOptions {
  /** Why these backends are skipped; shown as the skip note. */
  readonly reason?: string
}

/**
 * Skip on the given spawn methods. Called at the top of a file it skips the
 * file's tests, inside a `describe` callback that suite's, inside a test body
 * that test. Every key must be a known spawn method (a typo is an error).
 *
 * @throws TypeError for a key that is neither built in nor known to the registry.
 */
export function skipOnSpawnBackend(...args: [...keys: SpawnMethodKey[], options: SkipOptions] | SpawnMethodKey[]): void {
  const last = args[args.length - 1]
  const options: SkipOptions = typeof last === 'object' && last !== null ? last : {}
  const keys: string[] = []
  for (const arg of args) if (typeof arg === 'string') keys.push(arg)
  if (keys.length === 0) throw new TypeError('skipOnSpawnBackend: name at least one spawn method')
  const current = projectSpawnMethod()
  const known = new Set<string>([...knownSpawnMethods(), current])
  for (const key of keys) {
    if (!known.has(key)) throw new TypeError(`skipOnSpawnBackend: '${key}' is not a spawn method; known: ${[...known].join(', ')}`)
  }
  if (!keys.includes(current)) return
  const note = `skipped on spawn method '${current}'${options.reason ? `: ${options.reason}` : ''}`
  const running = TestRunner.getCurrentTest()
  if (running) {
    running.context.skip(note)
    return
  }
  beforeEach(({ skip }) => {
    skip(note)
  })
}
