/**
 * Which actors a warm child can serve: the same Node flags, and the same
 * values for every environment variable that Node or the C runtime reads only
 * while a process starts. Everything else in the environment is set on the
 * warm child when it is handed out, before any of the actor's code runs.
 */

/**
 * Variables read once, at process start, by Node, V8, ICU, OpenSSL, libuv or
 * the dynamic linker (and harrow's own `HARROW_LOG`): changing them in a
 * running process has no effect, so an actor that needs other values than the
 * pool's gets a child booted for it.
 * Conservative on purpose: every `NODE_*` variable is in, whether or not a
 * given Node version reads it late.
 */
const STARTUP_PREFIXES = ['NODE_', 'UV_', 'LD_', 'DYLD_', 'MALLOC_', 'OPENSSL_', 'SSL_CERT_', 'LC_'] as const
const STARTUP_NAMES = new Set([
  'LANG',
  'LANGUAGE',
  'GLIBC_TUNABLES',
  'ICU_DATA',
  // Core reads its log level once, on its first log line, which a warm child's runtime may print while idle.
  'HARROW_LOG',
])

/** True for a variable that only takes effect when a process starts. */
export function isStartupVariable(name: string): boolean {
  return STARTUP_NAMES.has(name) || STARTUP_PREFIXES.some((prefix) => name.startsWith(prefix))
}

/** Whether two environments agree on every variable {@link isStartupVariable} names. */
export function startupEnvMatches(a: Readonly<Record<string, string | undefined>>, b: Readonly<Record<string, string | undefined>>): boolean {
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (isStartupVariable(name) && a[name] !== b[name]) return false
  }
  return true
}

/** The startup variables on which `a` and `b` differ, for diagnostics. */
export function startupEnvDifferences(a: Readonly<Record<string, string | undefined>>, b: Readonly<Record<string, string | undefined>>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((name) => isStartupVariable(name) && a[name] !== b[name]).sort()
}

/** Whether two lists of Node flags are the same, in order. */
export function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((flag, i) => flag === b[i])
}

/** Only the variables that are set: `undefined` means removed. */
export function definedEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value
  return out
}

/**
 * Make `process.env` exactly `env`. Node writes `process.env` through to the
 * C environment, so native code and child processes see the change too.
 */
export function replaceProcessEnv(env: Readonly<Record<string, string>>): void {
  for (const name of Object.keys(process.env)) {
    if (!Object.hasOwn(env, name)) delete process.env[name]
  }
  for (const [name, value] of Object.entries(env)) {
    if (process.env[name] !== value) process.env[name] = value
  }
}

/** `env` as its differences from `base`. */
export function envDelta(base: Readonly<Record<string, string | undefined>>, env: Readonly<Record<string, string | undefined>>): { set: Record<string, string>; unset: string[] } {
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
export function applyEnvDelta(base: Readonly<Record<string, string | undefined>>, delta: { readonly set: Readonly<Record<string, string>>; readonly unset: readonly string[] }): Record<string, string> {
  const env = definedEnv(base)
  for (const name of delta.unset) delete env[name]
  return Object.assign(env, delta.set)
}
