// The conformance suite on the project's backend: vitest.config.ts makes one project per spawn method.
import { defineConformanceSuite, projectSpawnMethod, type ConformanceOptions } from '@harrow/testing'

/** Honest differences of harrow's own backends, declared rather than skipped in silence. */
const builtins: Record<string, ConformanceOptions> = {
  process: {},
  worker: { capabilities: { processes: false } },
  forkserver: {},
  // The loopback sshd's client key and config belong to the user running the tests.
  ssh: { capabilities: { otherUsers: false } },
}

const key = projectSpawnMethod()
defineConformanceSuite(key, builtins[key] ?? {})
