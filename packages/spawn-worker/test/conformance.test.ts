// Importing the backend registers it: the suite then runs against the built package, as users get it.
// Declared difference: actors are threads, not OS processes (no pids, no cwd of their own, no signals),
// so the suite's pid, cwd and orphan-process tests do not apply; this package's own tests cover the thread equivalents.
import '@harrow/spawn-worker'
import { defineConformanceSuite } from '@harrow/testing'

defineConformanceSuite('worker', { capabilities: { processes: false } })
