/** Importing a module named by specifier the way an actor does: from core, then from the working directory. */

import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { lazyNodeModule } from './builtins.js'
import { outOfDescriptors } from './descriptors.js'
import { describeSystemError } from './errors.js'

/**
 * Import a module an actor enables (or a warm child preloads). Bare specifiers are resolved from core itself
 * first, then from the actor's working directory (where the application's
 * own dependencies are under pnpm's strict layout).
 */
export async function importModule(specifier: string): Promise<Record<string, unknown>> {
  try {
    return (await import(specifier)) as Record<string, unknown>
  } catch (error) {
    const exhausted = outOfDescriptors()
    if (exhausted) throw withoutDescriptors(specifier, exhausted, error)
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || specifier.startsWith('file:')) throw error
    let resolved: string
    try {
      resolved = lazyNodeModule().createRequire(join(process.cwd(), 'index.js')).resolve(specifier)
    } catch {
      throw notFound(specifier, error)
    }
    return (await import(pathToFileURL(resolved).href)) as Record<string, unknown>
  }
}

/** A module that failed to load while this process is out of file descriptors: that is the cause, whatever Node said. */
function withoutDescriptors(specifier: string, exhausted: NodeJS.ErrnoException, cause: unknown): Error {
  const own = cause instanceof Error ? cause.message : String(cause)
  const error = new Error(`cannot import '${specifier}': ${describeSystemError(exhausted)}; its own error: ${own}`, { cause })
  Object.defineProperty(error, 'code', { value: exhausted.code, enumerable: true })
  return error
}

/**
 * A bare specifier that names no installed package: Node's own message blames harrow's file, which imported it, so
 * say what was looked for, from where, and how to name a file instead.
 */
function notFound(specifier: string, cause: unknown): Error {
  const hint = /^(?:@[^/]+\/)?[^/]+\/.+\.[cm]?[jt]sx?$/.test(specifier)
    ? ` It reads as the package '${specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/')}'; for a file, pass an absolute path, a file: URL or new URL('./${specifier}', import.meta.url).`
    : ''
  const error = new Error(
    `cannot find module '${specifier}': it is not a package installed for harrow or in the working directory (${process.cwd()}).${hint}`,
    { cause },
  )
  Object.defineProperty(error, 'code', { value: 'ERR_MODULE_NOT_FOUND', enumerable: true })
  return error
}
