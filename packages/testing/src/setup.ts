/**
 * The setup file of every backend project (`spawnBackendProjects` adds it):
 * registers the project's backend, and wraps every test in the watchdog, the
 * leak check and a check for process warnings.
 */

import { beforeEach, inject } from 'vitest'
import { assertNoLeaks, startLeakWatch } from './leaks.js'
import { unwatchTest, watchTest } from './watchdog.js'

const entry = inject('harrowBackendEntry') as string | undefined
if (entry) await import(entry)

/** Default test timeout when a test does not say, as vitest's own default. */
const DEFAULT_TIMEOUT = 5000

// Destructured, not `(context) =>`: vitest reads hook parameters to resolve fixtures of extended tests.
// A process warning (a listener leak, a deprecated API) is a defect in the code under test: it fails the test.
const warnings: Error[] = []
process.on('warning', (warning) => warnings.push(warning))

beforeEach(({ task, onTestFinished }) => {
  warnings.length = 0
  const baseline = startLeakWatch()
  watchTest(task.name, task.file.name, task.timeout ?? DEFAULT_TIMEOUT)
  // onTestFinished runs after afterEach hooks and fixture teardown, so a nursery fixture is closed by then.
  onTestFinished(async () => {
    unwatchTest()
    await assertNoLeaks(baseline, task.name)
    // Warnings are emitted on a later tick: let the ones the test caused arrive.
    await new Promise((resolve) => setImmediate(resolve))
    if (warnings.length > 0) {
      throw new Error(`test "${task.name}" caused ${warnings.length} process warning(s):\n${warnings.map((w) => `  ${w.name}: ${w.message}`).join('\n')}`)
    }
  })
})
