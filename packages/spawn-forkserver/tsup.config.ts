import { packageConfig } from '../../tsup.base.ts'

// server.ts is the forkserver process and warm-child.ts the script each pooled child runs;
// both are found beside the built modules at run time.
export default packageConfig({ entry: ['src/index.ts', 'src/backend.ts', 'src/server.ts', 'src/warm-child.ts'] })
