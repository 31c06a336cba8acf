import { packageConfig } from '../../tsup.base.ts'

export default packageConfig({
  entry: ['src/index.ts', 'src/cli.ts', 'src/env.ts'],
  // env.ts is a subpath of its own (`@harrow/core/env`): a forkserver or a warm child reads it without loading core.
  publicEntries: ['src/index.ts', 'src/env.ts'],
  // msgpackr keeps its extension table in module state; core's copy must be its own (see src/codec.ts).
  noExternal: ['msgpackr'],
})
