/**
 * Which actors a warm child can serve: the same Node flags, and the same
 * values for every environment variable that Node or the C runtime reads only
 * while a process starts (`startupEnvMatches` of `@harrow/core/env`, which
 * loads without the rest of core). Everything else in the environment
 * travels as a delta and is set on the warm child when it is handed out,
 * before any of the actor's code runs.
 */

import { definedEnv } from '@harrow/core/env'

/** Whether two lists of Node flags are the same, in order. */
export function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((flag, i) => flag === b[i])
}

/** `env` as its differences from `base`. */
export function envDelta(
  base: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
): { set: Record<string, string>; unset: string[] } {
  const set: Record<string, string> = {}
  const unset: string[] = []
  for (const name in env) {
    const value = env[name]
    if (value !== undefined && base[name] !== value) set[name] = value
  }
  for (const name in base) if (base[name] !== undefined && env[name] === undefined) unset.push(name)
  return { set, unset }
}

/** The environment `delta` describes on top of `base`. */
export function applyEnvDelta(
  base: Readonly<Record<string, string | undefined>>,
  delta: { readonly set: Readonly<Record<string, string>>; readonly unset: readonly string[] },
): Record<string, string> {
  const env = definedEnv(base)
  for (const name of delta.unset) delete env[name]
  return Object.assign(env, delta.set)
}
