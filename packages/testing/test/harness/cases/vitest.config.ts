// The config of the harness's own child vitest runs: one case file, on every available backend.
import { defineConfig } from 'vitest/config'
import { spawnBackendProjects } from '@harrow/testing/config'
import './unsupported-backend.ts'

export default defineConfig(async () => ({
  test: {
    projects: await spawnBackendProjects({ include: [process.env.HARROW_HARNESS_CASE ?? 'no-case-given'] }),
  },
}))
