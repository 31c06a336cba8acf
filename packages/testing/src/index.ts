/** @harrow/testing: the conformance suite every harrow spawn backend must pass, and helpers for tests. */

import { describe } from 'vitest'
import type { SpawnMethodKey } from '@harrow/core'
import { callTests } from './conformance/calls.js'
import type { ConformanceOptions, SuiteContext } from './conformance/context.js'
import { lifecycleTests } from './conformance/lifecycle.js'
import { optionTests } from './conformance/options.js'
import { orphanTests } from './conformance/orphans.js'
import { streamTests } from './conformance/streams.js'
import { wireTests } from './conformance/wire.js'

export type { BackendCapabilities, ConformanceOptions } from './conformance/context.js'
export { childPids, isAlive, waitFor } from './processes.js'
export { fixtureModules, rootProgramArgs, rootPrograms, task, tsLoaderExecArgv } from './fixtures.js'

/**
 * Define the shared behaviour suite for spawn method `key` in the calling
 * test file. Every backend, built-in or third-party, must pass it.
 */
export function defineConformanceSuite(key: SpawnMethodKey, options: ConformanceOptions = {}): void {
  const context: SuiteContext = { key, capabilities: { processes: true, ...options.capabilities } }
  describe(`conformance: ${key}`, () => {
    callTests(context)
    streamTests(context)
    lifecycleTests(context)
    wireTests(context)
    optionTests(context)
    orphanTests(context)
  })
}
