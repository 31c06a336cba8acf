// The build every package shares: ESM for Node 20, declarations for the public entries, one shared
// chunk per package (so entries loaded side by side, such as a child script and the public entry,
// are one instance of the package's modules).
import { defineConfig, type Options } from 'tsup'

/** A package's tsup config: `entry` lists every file loaded at run time (an object names their outputs), `publicEntries` those with types. */
export function packageConfig(options: { entry: string[] | Record<string, string>; publicEntries?: string[] } & Options): ReturnType<typeof defineConfig> {
  const { entry, publicEntries = ['src/index.ts'], ...rest } = options
  return defineConfig({
    entry,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: { entry: publicEntries },
    sourcemap: true,
    clean: true,
    splitting: true,
    ...rest,
  })
}
