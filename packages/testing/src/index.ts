/** @harrow/testing: the vitest harness for harrow (fixtures, skip markers, watchdog, leak checks) and the conformance suite every spawn backend must pass. */

import { describe } from 'vitest'
import type { SpawnMethodKey } from '@harrow/core'
import { backpressureTests } from './conformance/backpressure.js'
import { callTests } from './conformance/calls.js'
import type { ConformanceOptions, SuiteContext } from './conformance/context.js'
import { failureTests, uncaughtTests } from './conformance/failures.js'
import { faultTests } from './conformance/faults.js'
import { killMatrixTests } from './conformance/kill-matrix.js'
import { loadTests } from './conformance/load.js'
import { lifecycleTests } from './conformance/lifecycle.js'
import { optionTests } from './conformance/options.js'
import { orphanTests } from './conformance/orphans.js'
import { poolTests } from './conformance/pools.js'
import { streamTests } from './conformance/streams.js'
import { treeTests } from './conformance/tree.js'
import { unclosedTests } from './conformance/unclosed.js'
import { wireTests } from './conformance/wire.js'

export type { BackendCapabilities, ConformanceOptions } from './conformance/context.js'
export { allPids, childPids, commandLine, descendantPids, isAlive, pidsWithEnv, processGroup, waitFor } from './processes.js'
export {
  assertNoLeaks,
  currentLeaks,
  describeLeaks,
  harrowSocketFiles,
  startLeakWatch,
  LeakError,
  LEAK_GRACE,
  SOCKET_DIR_PREFIX,
  TEST_TOKEN_ENV,
  type Leak,
  type LeakBaseline,
} from './leaks.js'
export { skipOnSpawnBackend, type SkipOptions } from './skip.js'
export { test, type HarrowFixtures } from './test-api.js'
export { projectSpawnMethod } from './provided.js'
export { WATCHDOG_MARGIN } from './watchdog.js'
export { runLoad, type LoadOptions, type LoadReport } from './load.js'
export { fixtureModules, rootProgramArgs, rootPrograms, task, tsLoaderExecArgv } from './fixture-modules.js'

/**
 * Define the shared behaviour suite for spawn method `key` in the calling
 * test file. Every backend, built-in or third-party, must pass it.
 */
export function defineConformanceSuite(key: SpawnMethodKey, options: ConformanceOptions = {}): void {
  const context: SuiteContext = { key, capabilities: { processes: true, otherUsers: true, ...options.capabilities } }
  describe(`conformance: ${key}`, () => {
    callTests(context)
    streamTests(context)
    backpressureTests(context)
    lifecycleTests(context)
    failureTests(context)
    uncaughtTests(context)
    faultTests(context)
    killMatrixTests(context)
    loadTests(context)
    wireTests(context)
    optionTests(context)
    treeTests(context)
    orphanTests(context)
    unclosedTests(context)
    poolTests(context)
  })
}
