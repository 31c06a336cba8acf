/** Naming a function in another actor: a module and an export. */

import { isAbsolute } from 'node:path'
import { pathToFileURL } from 'node:url'

/** A remote function: an export of a module, named so it can cross a process boundary. */
export interface FnRef {
  /** An absolute `file:` URL or a bare package specifier. */
  readonly module: string
  /** The export's name. */
  readonly name: string
}

// Calls name the same few modules over and over: normalise each string once.
const normalised = new Map<string, string>()
const NORMALISED_CACHE_LIMIT = 4096

/**
 * Normalise a module reference: `URL`s and absolute paths become `file:` URLs
 * (with `..` resolved), bare specifiers stay as they are.
 *
 * @throws TypeError for a relative path, which has no meaning in another process.
 */
export function normalizeModule(module: string | URL): string {
  if (module instanceof URL) return module.href
  if (typeof module !== 'string' || module.length === 0) throw new TypeError('a module must be a non-empty string or URL')
  const known = normalised.get(module)
  if (known !== undefined) return known
  const result = normalizeString(module)
  if (normalised.size >= NORMALISED_CACHE_LIMIT) normalised.clear()
  normalised.set(module, result)
  return result
}

function normalizeString(module: string): string {
  if (isAbsolute(module)) return pathToFileURL(module).href
  if (/^[a-zA-Z][a-zA-Z\d+.-]*:/.test(module)) return new URL(module).href
  if (module.startsWith('.')) {
    throw new TypeError(`relative module '${module}' cannot be resolved in another actor: use new URL('${module}', import.meta.url)`)
  }
  return module
}

/**
 * Name `name` exported by `module`, to call it in an actor.
 *
 * ```ts
 * const add = ref(new URL('./tasks.js', import.meta.url), 'add')
 * ```
 *
 * @throws TypeError for a relative module path or an empty name.
 */
export function ref(module: string | URL, name: string): FnRef {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('ref(module, name): name must be a non-empty string')
  return { module: normalizeModule(module), name }
}

/** Check and normalise a `FnRef` given by a caller (plain objects of that shape are accepted). */
export function toFnRef(fn: FnRef): FnRef {
  if (typeof fn !== 'object' || fn === null || typeof fn.name !== 'string' || (typeof fn.module !== 'string' && !((fn.module as unknown) instanceof URL))) {
    throw new TypeError('expected a FnRef { module, name }: make one with ref(new URL("./tasks.js", import.meta.url), "name")')
  }
  return ref(fn.module, fn.name)
}
