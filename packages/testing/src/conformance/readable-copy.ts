/**
 * A copy of the test fixtures and the built packages a root program loads, in a directory every user can read:
 * tests that run a root program as an unprivileged user must work from a clone in a private (0700) directory.
 */

import { chmodSync, cpSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** A readable copy, and how to run its root programs. */
export interface ReadableCopy {
  /** The copy's directory (mode 0755). */
  readonly dir: string
  /** The path of `program` (a file under the fixtures directory) in the copy. */
  program(path: string): string
  /** The copy of the backend entry module (an absolute path), when the backend has one. */
  readonly entry: string | undefined
  /** Remove the copy. */
  remove(): void
}

const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url))

/** Why a user other than the owner cannot reach `path`, or `undefined` when every directory above it lets them through. */
export function unreachableByOthers(path: string): string | undefined {
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      if ((statSync(dir).mode & 0o001) === 0) return `${dir} is not searchable by other users`
    } catch (error) {
      return `${dir}: ${(error as Error).message}`
    }
    if (dirname(dir) === dir) return undefined
  }
}

/** The root directory of the package that holds `file` (the nearest directory with a package.json). */
function packageRoot(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    try {
      statSync(join(dir, 'package.json'))
      return dir
    } catch {
      if (dirname(dir) === dir) throw new Error(`no package.json above ${file}`)
    }
  }
}

function copyPackage(root: string, into: string): string {
  const name = (createRequire(import.meta.url)(join(root, 'package.json')) as { name: string }).name
  const target = join(into, 'node_modules', ...name.split('/'))
  cpSync(join(root, 'package.json'), join(target, 'package.json'))
  cpSync(join(root, 'dist'), join(target, 'dist'), { recursive: true, dereference: true })
  return target
}

/**
 * Copy the fixtures, `@harrow/core` and the package of `backendEntry` (a `file:` URL or path) into a new directory
 * under the temp directory that every user can read.
 *
 * @throws Error when the temp directory itself is not reachable by other users (see {@link unreachableByOthers}).
 */
export function readableCopy(backendEntry: string | undefined): ReadableCopy {
  const base = tmpdir()
  const blocked = unreachableByOthers(base)
  if (blocked) throw new Error(`cannot make a copy other users can read: ${blocked}`)
  const dir = mkdtempSync(join(base, 'harrow-readable-'))
  chmodSync(dir, 0o755)
  try {
    cpSync(fixturesDir, join(dir, 'fixtures'), { recursive: true })
    copyPackage(packageRoot(createRequire(import.meta.url).resolve('@harrow/core')), dir)
    let entry: string | undefined
    if (backendEntry) {
      const file = backendEntry.startsWith('file:') ? fileURLToPath(backendEntry) : backendEntry
      const root = packageRoot(file)
      entry = join(copyPackage(root, dir), file.slice(root.length))
    }
    return {
      dir,
      entry,
      program: (path) => join(dir, 'fixtures', path.slice(fixturesDir.length)),
      remove: () => rmSync(dir, { recursive: true, force: true }),
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}
