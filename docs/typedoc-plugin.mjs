/**
 * A TypeDoc plugin for harrow's API reference: names each module after the
 * specifier users import (`@harrow/core`, `@harrow/testing/config`) instead
 * of its path (`core/src`), takes the entry file's opening comment as the
 * module's summary (the entry files describe themselves without `@module`),
 * and warns (an error under `--treatWarningsAsErrors`) when a package
 * exports a subpath that typedoc.json has no entry point for.
 */

import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Application, Comment, Converter, ReflectionKind } from 'typedoc'

const packagesDir = new URL('../packages/', import.meta.url)

/** `core/src` → `{ specifier: '@harrow/core', file }`; `testing/src/config` → `@harrow/testing/config`. */
function describeEntry(displayName) {
  const match = /^([^/]+)\/src(?:\/(.+))?$/.exec(displayName)
  if (!match) return undefined
  const [, dir, subpath] = match
  const manifest = JSON.parse(readFileSync(new URL(`${dir}/package.json`, packagesDir), 'utf8'))
  const file = fileURLToPath(new URL(`${dir}/src/${subpath ?? 'index'}.ts`, packagesDir))
  return { specifier: subpath ? `${manifest.name}/${subpath}` : manifest.name, file }
}

/** The text of the file's first `/** ... *\/` comment, without its `@harrow/x:` prefix. */
function openingComment(file, specifier) {
  const match = /^\s*\/\*\*([\s\S]*?)\*\//.exec(readFileSync(file, 'utf8'))
  if (!match) return undefined
  const text = match[1]
    .split('\n')
    .map((line) => line.replace(/^\s*\*\s?/, ''))
    .join('\n')
    .trim()
    .replace(new RegExp(`^${specifier.replace(/[/.]/g, '\\$&')}:\\s*`), '')
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** `[specifier, source file]` for every subpath each package exports (`./package.json` aside). */
function exportedEntries() {
  const entries = []
  for (const dir of readdirSync(packagesDir)) {
    const manifestUrl = new URL(`${dir}/package.json`, packagesDir)
    if (!existsSync(manifestUrl)) continue
    const manifest = JSON.parse(readFileSync(manifestUrl, 'utf8'))
    for (const subpath of Object.keys(manifest.exports ?? {})) {
      if (subpath === './package.json') continue
      const file = subpath === '.' ? 'src/index.ts' : `src/${subpath.slice(2)}.ts`
      entries.push([`${manifest.name}${subpath.slice(1)}`, fileURLToPath(new URL(`${dir}/${file}`, packagesDir))])
    }
  }
  return entries
}

/** @param {Application} app */
export function load(app) {
  app.on(Application.EVENT_BOOTSTRAP_END, () => {
    const listed = new Set(app.options.getValue('entryPoints').map((entry) => resolve(entry)))
    for (const [specifier, file] of exportedEntries()) {
      if (existsSync(file) && !listed.has(file))
        app.logger.warn(`${specifier} is exported but typedoc.json has no entry point for it: add ${relative(process.cwd(), file)}`)
    }
  })

  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (_context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module)) return
    const entry = describeEntry(reflection.name)
    if (!entry) return
    reflection.name = entry.specifier
    if (reflection.comment) return
    const summary = openingComment(entry.file, entry.specifier)
    if (summary) reflection.comment = new Comment([{ kind: 'text', text: summary }])
  })
}
