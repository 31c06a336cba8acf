import { packageConfig } from '../../tsup.base.ts'

export default packageConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  // msgpackr keeps its extension table in module state; core's copy must be its own (see src/codec.ts).
  noExternal: ['msgpackr'],
})
