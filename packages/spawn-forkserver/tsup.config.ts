import { defineConfig } from 'tsup'

export default defineConfig({
  // server.ts is the forkserver process and warm-child.ts the script each pooled child runs;
  // both are found beside the built modules at run time.
  entry: ['src/index.ts', 'src/backend.ts', 'src/server.ts', 'src/warm-child.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  splitting: true,
})
