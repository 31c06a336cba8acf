import { defineConfig } from 'vitest/config'

// The runtime conformance run (`pnpm test:runtimes`): vitest runs on Node and drives root programs on Bun and Deno.
export default defineConfig({
  test: {
    include: ['test/runtimes/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
})
