/** Importing a module named by specifier the way an actor does: from core, then from the working directory. */

import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * Import a module an actor enables (or a warm child preloads). Bare specifiers are resolved from core itself
 * first, then from the actor's working directory (where the application's
 * own dependencies are under pnpm's strict layout).
 */
export async function importModule(specifier: string): Promise<Record<string, unknown>> {
  try {
    return (await import(specifier)) as Record<string, unknown>
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || specifier.startsWith('file:')) throw error
    let resolved: string
    try {
      resolved = createRequire(join(process.cwd(), 'index.js')).resolve(specifier)
    } catch {
      throw error
    }
    return (await import(pathToFileURL(resolved).href)) as Record<string, unknown>
  }
}
