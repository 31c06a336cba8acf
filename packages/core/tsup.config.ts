import { packageConfig } from '../../tsup.base.ts'

export default packageConfig({
  entry: ['src/index.ts', 'src/backend.ts', 'src/child.ts', 'src/env.ts', 'src/cli.ts'],
  // Subpaths of their own: `backend` for backend authors (light: no codec), `child` for backends' child entries,
  // `env` for warm children's environment rules.
  publicEntries: ['src/index.ts', 'src/backend.ts', 'src/child.ts', 'src/env.ts'],
  // msgpackr keeps its extension table in module state; core's copy must be its own (see src/wire/codec.ts).
  noExternal: ['msgpackr'],
})
