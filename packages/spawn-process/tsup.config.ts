import { packageConfig } from '../../tsup.base.ts'

export default packageConfig({
  entry: ['src/index.ts', 'src/backend.ts'],
  // The script each actor process runs, one module found beside backend.js at run time.
  oneModule: { scripts: { child: 'src/child.ts' } },
})
