import { packageConfig } from '../../tsup.base.ts'

// child.ts is the script each actor process runs; it is found beside backend.js at run time.
export default packageConfig({ entry: ['src/index.ts', 'src/backend.ts', 'src/child.ts'] })
