import { defineConfig } from 'vitest/config'
import { spawnBackendProjects } from '@harrow/testing/config'

export default defineConfig(async () => ({
  test: {
    projects: [
      ...(await spawnBackendProjects({ include: ['test/conformance/**/*.test.ts'] })),
      { test: { name: 'harness', include: ['test/harness/**/*.test.ts'], testTimeout: 60_000 } },
    ],
  },
}))
