import { packageConfig } from '../../tsup.base.ts'

export default packageConfig({
  entry: ['src/index.ts', 'src/env.ts', 'src/cli.ts'],
  // Subpaths of their own: `backend` for backend authors (light: no codec), `child` for backends' child entries,
  // `env` for warm children's environment rules.
  publicEntries: ['src/index.ts', 'src/backend.ts', 'src/child.ts', 'src/env.ts'],
  // The child runtime and the backend authors' entry are one module each (plus shared.js, what both load): a cold
  // actor loads two modules of core. The public entry imports them rather than copies. msgpackr is bundled into
  // child.js: it keeps its extension table in module state, and core's copy must be its own (see src/wire/codec.ts).
  oneModule: { shared: { child: 'src/child.ts', backend: 'src/backend.ts' } },
  noExternal: ['msgpackr'],
})
