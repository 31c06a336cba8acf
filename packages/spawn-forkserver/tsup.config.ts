import { packageConfig } from '../../tsup.base.ts'

// One entry per process the package runs in. The forkserver (server.js) and the script each pooled child runs
// (warm-child.js) are found beside the built modules at run time (`new URL('./server.js', import.meta.url)`),
// so dist/ stays flat whatever the folders under src/ are: the entries are named here, not derived from their paths.
export default packageConfig({
  entry: {
    index: 'src/index.ts',
    backend: 'src/parent/backend.ts',
    server: 'src/server/server.ts',
    'warm-child': 'src/warm-child/warm-child.ts',
  },
})
