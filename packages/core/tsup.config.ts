import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  // One shared chunk: the CLI and the public entry are one instance of the runtime.
  splitting: true,
  // msgpackr keeps its extension table in module state; core's copy must be its own (see src/codec.ts).
  noExternal: ['msgpackr'],
})
