import { defineConfig } from 'tsup'

export default defineConfig({
  // setup, global-setup, watchdog-thread and unavailable.test are loaded by path at run time (vitest, a Worker).
  entry: ['src/index.ts', 'src/config.ts', 'src/load.ts', 'src/setup.ts', 'src/global-setup.ts', 'src/watchdog-thread.ts', 'src/unavailable.test.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: { entry: ['src/index.ts', 'src/config.ts', 'src/load.ts'] },
  sourcemap: true,
  clean: true,
  splitting: true,
})
