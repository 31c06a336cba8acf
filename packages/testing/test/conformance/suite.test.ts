// The conformance suite on the project's backend: vitest.config.ts makes one project per spawn method.
import { defineConformanceSuite, projectSpawnMethod, type ConformanceOptions } from '@harrow/testing'

/** Honest differences of the built-in backends, declared rather than skipped in silence. */
const builtins: Record<string, ConformanceOptions> = {
  process: {},
  worker: { capabilities: { processes: false } },
  forkserver: {},
}

const key = projectSpawnMethod()
defineConformanceSuite(key, builtins[key] ?? {})
