/** Naming a function in another actor: a module and an export. */

import { isAbsolute } from 'node:path'
import { pathToFileURL } from 'node:url'

declare const FN_TYPE: unique symbol

/**
 * A remote function: an export of a module, named so it can cross a process
 * boundary. `F` is the export's type, when known (see {@link refs}): portals
 * then infer arguments and results from it. A plain `FnRef` (`F` = `never`)
 * is untyped; a typed ref is not assignable to it, so a call whose arguments
 * do not fit the typed signature cannot fall back to the untyped one.
 */
export interface FnRef<F = never> {
  /** An absolute `file:` URL or a bare package specifier. */
  readonly module: string
  /** The export's name. */
  readonly name: string
  /** Type only: the export's type. Never present at run time. */
  readonly [FN_TYPE]?: F
}

/** Any function type (for constraints). */
export type AnyFunction = (...args: never[]) => unknown

/** The names of `M`'s exports that are functions. */
export type FunctionExports<M> = { [K in keyof M]: M[K] extends AnyFunction ? K : never }[keyof M] & string

/** A typed {@link FnRef} for each function exported by `M`: what {@link refs} returns. */
export type Refs<M> = { readonly [K in FunctionExports<M>]: FnRef<M[K]> }

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
 * Name `name` exported by `module`, to call it in an actor. Untyped by
 * default; give the export's type to type it (or use {@link refs}):
 *
 * ```ts
 * const add = ref(new URL('./tasks.js', import.meta.url), 'add') // FnRef: run<number>(add, [1, 2])
 * const typed = ref<typeof import('./tasks.js')['add']>(url, 'add') // FnRef<typeof add>: run(typed, [1, 2]) is a Promise<number>
 * ```
 *
 * @throws TypeError for a relative module path or an empty name.
 */
export function ref<F = never>(module: string | URL, name: string): FnRef<F>
// Last, so that `ReturnType<typeof ref>` is the plain FnRef it was before refs were typed.
export function ref(module: string | URL, name: string): FnRef
export function ref(module: string | URL, name: string): FnRef<unknown> {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('ref(module, name): name must be a non-empty string')
  return { module: normalizeModule(module), name }
}

/**
 * Typed refs to every function a module exports, named by property:
 *
 * ```ts
 * const tasks = refs<typeof import('./tasks.js')>(new URL('./tasks.js', import.meta.url))
 * const sum = await portal.run(tasks.add, [1, 2]) // number; run(tasks.add, ['1', 2]) does not compile
 * ```
 *
 * Each property is made on first access (and cached), so nothing is imported here.
 *
 * @throws TypeError for a relative module path.
 */
export function refs<M>(module: string | URL): Refs<M> {
  const moduleId = normalizeModule(module)
  const made = new Map<string, FnRef<unknown>>()
  return new Proxy({} as Refs<M>, {
    get: (_target, property) => {
      // Not thenable, so that awaiting or returning it from an async function gives the object itself.
      if (typeof property !== 'string' || property === 'then') return undefined
      let fn = made.get(property)
      if (!fn) made.set(property, (fn = Object.freeze({ module: moduleId, name: property })))
      return fn
    },
  })
}

/** Check and normalise a `FnRef` given by a caller (plain objects of that shape are accepted). */
export function toFnRef(fn: FnRef<unknown>): FnRef {
  if (typeof fn !== 'object' || fn === null || typeof fn.name !== 'string' || (typeof fn.module !== 'string' && !((fn.module as unknown) instanceof URL))) {
    throw new TypeError('expected a FnRef { module, name }: make one with ref(new URL("./tasks.js", import.meta.url), "name")')
  }
  return ref(fn.module, fn.name)
}
