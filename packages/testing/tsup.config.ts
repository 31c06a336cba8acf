import { packageConfig } from '../../tsup.base.ts'

export default packageConfig({
  // setup, global-setup, watchdog-thread and unavailable.test are loaded by path at run time (vitest, a Worker).
  entry: ['src/index.ts', 'src/config.ts', 'src/load.ts', 'src/setup.ts', 'src/global-setup.ts', 'src/watchdog-thread.ts', 'src/unavailable.test.ts'],
  publicEntries: ['src/index.ts', 'src/config.ts', 'src/load.ts'],
})
