/**
 * The setup file of every backend project (`spawnBackendProjects` adds it):
 * registers the project's backend, and wraps every test in the watchdog and
 * the leak check.
 */

import { beforeEach, inject } from 'vitest'
import { assertNoLeaks, startLeakWatch } from './leaks.js'
import { unwatchTest, watchTest } from './watchdog.js'

const entry = inject('harrowBackendEntry') as string | undefined
if (entry) await import(entry)

/** Default test timeout when a test does not say, as vitest's own default. */
const DEFAULT_TIMEOUT = 5000

// Destructured, not `(context) =>`: vitest reads hook parameters to resolve fixtures of extended tests.
beforeEach(({ task, onTestFinished }) => {
  const baseline = startLeakWatch()
  watchTest(task.name, task.file.name, task.timeout ?? DEFAULT_TIMEOUT)
  // onTestFinished runs after afterEach hooks and fixture teardown, so a nursery fixture is closed by then.
  onTestFinished(async () => {
    unwatchTest()
    await assertNoLeaks(baseline, task.name)
  })
})
