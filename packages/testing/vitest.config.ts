import { defineConfig } from 'vitest/config'
import { spawnBackendProjects } from '@harrow/testing/config'
import { sshdUnavailable } from '@harrow/spawn-ssh/test-sshd'

const backends = (
  await spawnBackendProjects({
    include: ['test/conformance/**/*.test.ts'],
    // 'ssh' runs against a loopback OpenSSH server that its global setup starts; without sshd it is skipped, saying why.
    prerequisites: { ssh: sshdUnavailable },
  })
).map((project) =>
  project.test?.name === 'ssh' && project.test.provide?.harrowUnavailable === ''
    ? { ...project, test: { ...project.test, globalSetup: [...[project.test.globalSetup ?? []].flat(), './test/ssh.global-setup.ts'] } }
    : project,
)
const worker = backends.find((project) => project.test?.name === 'worker' && project.test.provide?.harrowUnavailable === '')

export default defineConfig({
  test: {
    // Two files at once even on two cores (vitest's default there is one): a conformance file spends most of its time
    // waiting on processes (boots, kill ladders, timeouts), and each file has its own temp directory (see setup.ts).
    maxWorkers: 2,
    projects: [
      ...backends,
      // The worker backend again with spare threads (HARROW_WORKER_SPARES): actors on spares must pass the same suite.
      ...(worker?.test
        ? [
            {
              ...worker,
              test: {
                ...worker.test,
                name: 'worker-spares',
                env: { ...worker.test.env, HARROW_WORKER_SPARES: '2' },
                setupFiles: [...[worker.test.setupFiles ?? []].flat(), './test/worker-spares.setup.ts'],
              },
            },
          ]
        : []),
      { test: { name: 'harness', include: ['test/harness/**/*.test.ts'], testTimeout: 60_000 } },
    ],
  },
})
