/** The spawn-method key union: one const tuple, open to third-party keys. */

/**
 * The built-in spawn methods, in order of preference. The single source of
 * truth for the key union. First-party backends outside it (`'ssh'`, from
 * `@harrow/spawn-ssh`) add their key through {@link CustomSpawnMethods} and
 * are still found by package name once installed, like the built-in ones.
 */
export const SPAWN_METHODS = ['process', 'worker', 'forkserver'] as const

/** A built-in spawn method. */
export type BuiltinSpawnMethod = (typeof SPAWN_METHODS)[number]

/**
 * Augment this interface to add a third-party spawn method key:
 *
 * ```ts
 * declare module '@harrow/core' {
 *   interface CustomSpawnMethods { ssh: true }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- an augmentation point
export interface CustomSpawnMethods {}

/** Any spawn method key: a built-in one or one declared through {@link CustomSpawnMethods}. */
export type SpawnMethodKey = BuiltinSpawnMethod | Extract<keyof CustomSpawnMethods, string>

/** True when `key` names a built-in spawn method. */
export function isBuiltinSpawnMethod(key: string): key is BuiltinSpawnMethod {
  return (SPAWN_METHODS as readonly string[]).includes(key)
}

/** The npm package that provides a built-in spawn method. */
export function builtinPackageName(key: BuiltinSpawnMethod): string {
  return `@harrow/spawn-${key}`
}
