/**
 * The setup file of every backend project (`spawnBackendProjects` adds it):
 * gives the file a temp directory of its own, registers the project's
 * backend, and wraps every test in the watchdog, the leak check and a check
 * for process warnings.
 */

import { loadedSpawnBackends } from '@harrow/core/backend'
import { afterAll, beforeEach, inject } from 'vitest'
import { assertNoLeaks, startLeakWatch } from './leaks.js'
import { usePrivateTmpdir } from './private-tmpdir.js'
import { unwatchTest, watchTest } from './watchdog.js'

// Before the backend loads: whatever it keeps in the temp directory goes to this file's own.
const restoreTmpdir = usePrivateTmpdir()
const entry = inject('harrowBackendEntry') as string | undefined
if (entry) await import(entry)

/** Default test timeout when a test does not say, as vitest's own default. */
const DEFAULT_TIMEOUT = 5000

// A process warning (a listener leak, a deprecated API) is a defect in the code under test: it fails the test.
const warnings: Error[] = []
process.on('warning', (warning) => warnings.push(warning))

// Destructured, not `(context) =>`: vitest reads hook parameters to resolve fixtures of extended tests.
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

// What a backend keeps running between spawns (a forkserver) ends with the file, not in the run's reaper.
afterAll(async () => {
  for (const backend of loadedSpawnBackends().values()) await backend.shutdown?.()
  restoreTmpdir()
})
