import { defineConfig } from 'tsup'

export default defineConfig({
  // child.ts is the script each actor process runs; it is found beside backend.js at run time.
  entry: ['src/index.ts', 'src/backend.ts', 'src/child.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  splitting: true,
})
