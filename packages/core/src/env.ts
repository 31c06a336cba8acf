/**
 * Environments of warm children (a forkserver's pool, a worker backend's spares): which variables only take effect
 * when a process or thread starts, so that a child booted ahead of need can serve an actor only when they agree, and
 * how the rest is set on the child when it is handed out, before any of the actor's code runs.
 */

/**
 * Variables read once, at start, by Node, V8, ICU, OpenSSL, libuv or the
 * dynamic linker (and harrow's own `HARROW_LOG` and `HARROW_COMPILE_CACHE`): changing them in a running
 * process or thread has no effect, so an actor that needs other values than a
 * warm child's gets a child booted for it.
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
  // Read by a child's entry before the runtime loads, to turn the module compile cache on or not.
  'HARROW_COMPILE_CACHE',
])

/** True for a variable that only takes effect when a process (or thread) starts. */
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

/** The startup variables on which `a` and `b` differ, sorted, for diagnostics. */
export function startupEnvDifferences(a: Readonly<Record<string, string | undefined>>, b: Readonly<Record<string, string | undefined>>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((name) => isStartupVariable(name) && a[name] !== b[name]).sort()
}

/** Only the variables that are set: `undefined` means removed. */
export function definedEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value
  return out
}

/**
 * Make `process.env` exactly `env`. In a process, Node writes `process.env`
 * through to the C environment, so native code and child processes see the
 * change too; in a worker thread, `process.env` is the thread's own copy.
 */
export function replaceProcessEnv(env: Readonly<Record<string, string>>): void {
  for (const name of Object.keys(process.env)) {
    if (!Object.hasOwn(env, name)) delete process.env[name]
  }
  for (const [name, value] of Object.entries(env)) {
    if (process.env[name] !== value) process.env[name] = value
  }
}
