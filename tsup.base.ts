// The build every package shares: ESM for Node 20, declarations for the public entries, one shared
// chunk per package (so entries loaded side by side, such as a child script and the public entry,
// are one instance of the package's modules), and child scripts built as one module each (see oneModuleEntries).
import { resolve } from 'node:path'
import { defineConfig, type Options } from 'tsup'

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number]

/** What {@link packageConfig} builds as one module each: names of outputs in dist/ → their source files. */
interface OneModuleEntries {
  /**
   * Scripts that run in a thread or process of their own (an actor's entry, a server, a hooks module): each is
   * bundled alone, with every package left external. A cold actor loads one module of its backend instead of an
   * entry and its chunks (each module more costs a worker thread about a millisecond to resolve, read and compile).
   * Their modules may also be in the package's chunks: a second copy, in another thread or process.
   */
  readonly scripts?: Record<string, string>
  /**
   * Entries that are also the package's shared runtime: each is bundled as one module (packages included) that
   * exports every binding of its module graph, and the other entries import those modules from it instead of from
   * chunks, so that a script loading only it and user code loading the public entry in the same thread share one
   * instance of each module (its classes, its state). Modules that two of them load go to `common`.
   */
  readonly shared?: Record<string, string>
  /** The output holding the modules two shared entries both load. @default 'shared' */
  readonly common?: string
}

/**
 * A package's tsup config: `entry` lists every file loaded at run time (an object names their outputs), `publicEntries`
 * those with types, `oneModule` the entries built as one module each.
 */
export function packageConfig(
  options: { entry: string[] | Record<string, string>; publicEntries?: string[]; oneModule?: OneModuleEntries } & Options,
): ReturnType<typeof defineConfig> {
  const { entry, publicEntries = ['src/index.ts'], oneModule, esbuildPlugins = [], ...rest } = options
  return defineConfig({
    entry,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: { entry: publicEntries },
    sourcemap: true,
    clean: true,
    splitting: true,
    esbuildPlugins: oneModule ? [...esbuildPlugins, oneModuleEntries(oneModule)] : esbuildPlugins,
    ...rest,
  })
}

/** Builds {@link OneModuleEntries} beside tsup's own build of the package (into dist/, named by their keys). */
function oneModuleEntries({ scripts = {}, shared = {}, common = 'shared' }: OneModuleEntries): EsbuildPlugin {
  return {
    name: 'harrow-one-module-entries',
    setup(build) {
      const { esbuild } = build
      const outdir = resolve(build.initialOptions.outdir ?? 'dist')
      const options = { bundle: true, format: 'esm', platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' } as const
      /** Which output each source file of the shared runtime is in, by absolute path. */
      let home = new Map<string, string>()
      /** A relative import of a file that `home` places in another output than `output` becomes an import of that output. */
      const importFromHome = (output?: string) => (args: { path: string; resolveDir: string }) => {
        const at = home.get(resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts'))
        return at !== undefined && at !== output ? { path: `./${at}.js`, external: true } : undefined
      }
      const relative = { filter: /^\.\.?\// }
      /**
       * One module exporting every binding of `files`, and `names` of `entry` by name: an explicit export wins over
       * two `export *` of one binding that reaches them through different modules (which a star export drops).
       */
      const bundle = (output: string, files: string[], entry?: { source: string; names: string[] }) =>
        esbuild.build({
          ...options,
          stdin: {
            contents: [
              ...(entry ? [`export { ${entry.names.join(', ')} } from ${JSON.stringify(entry.source)}`] : []),
              ...files.filter((file) => file !== entry?.source).map((file) => `export * from ${JSON.stringify(file)}`),
            ].join('\n'),
            resolveDir: resolve('src'),
            // Not `${output}.ts`: in src/ that is the entry's own path, which the contents import.
            sourcefile: `${output}.bundle.ts`,
            loader: 'ts',
          },
          outfile: resolve(outdir, `${output}.js`),
          plugins: [{ name: 'harrow-shared-home', setup: (inner) => inner.onResolve(relative, importFromHome(output)) }],
        })

      build.onStart(async () => {
        const entries = Object.entries(shared)
        if (entries.length === 0) return
        const graphs = await Promise.all(
          entries.map(async ([, source]) => {
            const { metafile } = await esbuild.build({ ...options, entryPoints: [source], write: false, metafile: true, outdir })
            const files = Object.keys(metafile.inputs)
              .filter((file) => !file.includes('node_modules'))
              .map((file) => resolve(file))
            return { source: resolve(source), names: Object.values(metafile.outputs).flatMap((output) => output.exports), files }
          }),
        )
        home = new Map()
        entries.forEach(([name], i) => {
          for (const file of graphs[i]?.files ?? []) home.set(file, home.has(file) ? common : name)
        })
        const outputs = new Map<string, string[]>()
        for (const [file, output] of home) outputs.set(output, [...(outputs.get(output) ?? []), file])
        await Promise.all([...outputs].map(([output, files]) => bundle(output, files, graphs[entries.findIndex(([name]) => name === output)])))
      })

      build.onResolve(relative, importFromHome())

      build.onEnd(async (result) => {
        if (result.errors.length > 0) return
        await Promise.all(
          Object.entries(scripts).map(([name, source]) =>
            esbuild.build({ ...options, packages: 'external', entryPoints: [source], outfile: resolve(outdir, `${name}.js`) }),
          ),
        )
      })
    },
  }
}
