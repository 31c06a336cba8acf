import { writeFile } from 'node:fs/promises'
import { packageConfig } from '../../tsup.base.ts'

export default packageConfig({
  entry: ['src/index.ts', 'src/backend.ts'],
  // The script each worker actor runs, one module found beside backend.js at run time, and its entry where Node has
  // a compile cache.
  oneModule: { scripts: { child: 'src/child.ts', 'cached-child': 'src/cached-child.ts' } },
  // A TypeScript file left as TypeScript: a worker actor imports it to learn whether a TS loader is active in its thread.
  onSuccess: () =>
    writeFile(
      'dist/ts-probe.ts',
      '// Imported by child.js: it loads only when a TypeScript loader is active in the thread.\nexport const typescript: boolean = true\n',
    ),
})
