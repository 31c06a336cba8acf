/** The spawn-method registry: cheap probes, lazy loading, and discovery of installed backend packages. */

import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { ProbeResult, SpawnBackend, SpawnMethodRegistration } from './contracts.js'
import { lazyFs, lazyNodeModule } from './builtins.js'
import { SpawnMethodUnavailableError } from './errors.js'
import { SPAWN_METHODS, builtinPackageName, isBuiltinSpawnMethod, type SpawnMethodKey } from './spawn-methods.js'

/** One row of {@link listSpawnMethods}. */
export interface SpawnMethodStatus {
  /** The spawn method key. */
  readonly key: string
  /** The npm package that provides it. */
  readonly packageName: string
  /** Whether that package could be found and loaded by this application. */
  readonly installed: boolean
  /** Whether it can run here: installed and its probe passed. */
  readonly supported: boolean
  /** Why it is not supported (not installed, wrong runtime, failed to load), and how to fix it. */
  readonly reason?: string
  /** The installed package's version. */
  readonly version?: string
  /** Whether the key is one of {@link SPAWN_METHODS}. */
  readonly builtin: boolean
  /** The module that registers it, when known: import it to register the backend in another process. */
  readonly entry?: string
}

interface RegistryState {
  readonly registrations: Map<string, SpawnMethodRegistration>
  readonly backends: Map<string, Promise<SpawnBackend>>
  /** The backends whose load() has finished. */
  readonly loaded: Map<string, SpawnBackend>
  /** Modules known to register a key, handed down from a parent actor. */
  readonly hints: Map<string, string>
  readonly discoveries: Map<string, Promise<Discovery>>
  /** First-party keys found installed, read from disk once per set of resolution bases (see installedFirstPartyKeys). */
  firstParty: { readonly bases: string; readonly keys: readonly string[] } | undefined
  current: string | undefined
}

type Discovery =
  | { readonly installed: true; readonly registration: SpawnMethodRegistration }
  | { readonly installed: boolean; readonly registration?: undefined; readonly reason: string }

// Kept on a Symbol.for global so that two copies of core in one process share one registry.
const STATE = Symbol.for('harrow.registry.v1')

function registry(): RegistryState {
  const holder = globalThis as typeof globalThis & { [STATE]?: RegistryState }
  return (holder[STATE] ??= {
    registrations: new Map(),
    backends: new Map(),
    loaded: new Map(),
    hints: new Map(),
    discoveries: new Map(),
    firstParty: undefined,
    current: undefined,
  })
}

/** The environment variable that sets the default spawn method. */
export const SPAWN_METHOD_ENV = 'HARROW_SPAWN_METHOD'

/** The spawn method used when none is set. @default 'process' */
export const DEFAULT_SPAWN_METHOD: SpawnMethodKey = 'process'

/**
 * Register a spawn backend under `key`. Backend packages call this from their
 * entry module; probing never loads the backend, `load()` runs on first use.
 * Registering a key again replaces the earlier registration.
 *
 * @throws TypeError when the registration is not of the expected shape.
 */
export function registerSpawnMethod(key: SpawnMethodKey, registration: SpawnMethodRegistration): void {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError('registerSpawnMethod: key must be a non-empty string')
  const r = registration as Partial<SpawnMethodRegistration> | null
  if (r === null || typeof r !== 'object' || typeof r.packageName !== 'string' || typeof r.probe !== 'function' || typeof r.load !== 'function') {
    throw new TypeError(`registerSpawnMethod('${key}'): expected { packageName: string, probe(): ProbeResult, load(): Promise<SpawnBackend> }`)
  }
  const state = registry()
  state.registrations.set(key, registration)
  state.backends.delete(key)
  state.loaded.delete(key)
  state.discoveries.delete(key)
}

/**
 * Tell the registry which module registers `key`, without importing it yet.
 * Actors receive these hints from their parent so that they can spawn with
 * every method their parent could.
 */
export function addSpawnMethodHint(key: string, entry: string): void {
  const state = registry()
  if (!state.registrations.has(key)) state.hints.set(key, entry)
}

/** Entry modules of every registration that has one, for handing down to actors. */
export function spawnMethodHints(): Record<string, string> {
  const state = registry()
  const hints: Record<string, string> = Object.fromEntries(state.hints)
  for (const [key, registration] of state.registrations) {
    if (registration.entry !== undefined) hints[key] = registration.entry
  }
  return hints
}

/**
 * Every spawn method key this process knows: the built-in ones, then those
 * registered (or announced to this actor by its parent). Synchronous, and
 * never loads anything.
 */
export function knownSpawnMethods(): string[] {
  const state = registry()
  return [...new Set<string>([...SPAWN_METHODS, ...installedFirstPartyKeys(), ...state.registrations.keys(), ...state.hints.keys()])]
}

/** The npm scope of first-party backend packages: `@harrow/spawn-<key>`. */
const FIRST_PARTY_PREFIX = 'spawn-'

/**
 * Keys of first-party backends outside {@link SPAWN_METHODS} that the
 * application has installed (`@harrow/spawn-ssh` gives `'ssh'`), found by
 * listing `node_modules/@harrow` on the way up from each resolution base. They
 * are then discovered like built-in keys, by their conventional package name.
 */
function installedFirstPartyKeys(): readonly string[] {
  const state = registry()
  const bases = resolutionBases()
  const id = bases.join('\0')
  if (state.firstParty?.bases !== id) state.firstParty = { bases: id, keys: scanFirstPartyKeys(bases) }
  return state.firstParty.keys
}

/** One walk of every `node_modules/@harrow` above `bases`. */
function scanFirstPartyKeys(bases: readonly string[]): string[] {
  const keys = new Set<string>()
  for (const base of bases) {
    for (let dir = base; ; dir = dirname(dir)) {
      let names: string[] = []
      try {
        names = lazyFs().readdirSync(join(dir, 'node_modules', '@harrow'))
      } catch {
        // no scope directory here
      }
      for (const name of names) {
        const key = name.slice(FIRST_PARTY_PREFIX.length)
        if (name.startsWith(FIRST_PARTY_PREFIX) && key.length > 0 && !isBuiltinSpawnMethod(key)) keys.add(key)
      }
      if (dirname(dir) === dir) break
    }
  }
  return [...keys]
}

/** The conventional package of `key` (`@harrow/spawn-<key>`) when core finds that package by itself: built-in or installed first-party keys. */
function conventionalPackage(key: string): string | undefined {
  if (isBuiltinSpawnMethod(key)) return builtinPackageName(key)
  return installedFirstPartyKeys().includes(key) ? `@harrow/${FIRST_PARTY_PREFIX}${key}` : undefined
}

function packageNameOf(key: string): string {
  const registered = registry().registrations.get(key)
  if (registered) return registered.packageName
  return conventionalPackage(key) ?? 'unknown'
}

/**
 * Directories an application's packages are found from: core's own (a flat
 * node_modules), then the working directory and the main script's, so pnpm's
 * strict layout still finds what the application installed.
 */
function resolutionBases(): string[] {
  const bases = [dirname(fileURLToPath(import.meta.url)), process.cwd()]
  const main = process.argv[1]
  if (main) bases.push(dirname(main))
  return bases
}

/**
 * The directory of `packageName` in a node_modules on the way up from `from`.
 * Deliberately not `require.resolve`: NODE_PATH (which pnpm's shims point at
 * its whole store) would make packages the application never installed look
 * installed.
 */
function findPackageDir(packageName: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', packageName)
    if (lazyFs().existsSync(join(candidate, 'package.json'))) return lazyFs().realpathSync(candidate)
    if (dirname(dir) === dir) return undefined
  }
}

type Found = { readonly entry: string; readonly version: string | undefined } | { readonly broken: string }

function resolvePackage(packageName: string): Found | undefined {
  for (const base of resolutionBases()) {
    const dir = findPackageDir(packageName, base)
    if (dir === undefined) continue
    const manifestPath = join(dir, 'package.json')
    try {
      const manifest = JSON.parse(lazyFs().readFileSync(manifestPath, 'utf8')) as { version?: unknown }
      // Resolved from inside the package (a self-reference), so its exports map decides the entry.
      const entry = lazyNodeModule().createRequire(manifestPath).resolve(packageName)
      return { entry: pathToFileURL(entry).href, version: typeof manifest.version === 'string' ? manifest.version : undefined }
    } catch (error) {
      return { broken: `${packageName} is installed at ${dir} but has no loadable entry: ${(error as Error).message.split('\n')[0]}` }
    }
  }
  return undefined
}

async function importRegistering(key: string, entry: string, packageName: string): Promise<Discovery> {
  try {
    await import(entry)
  } catch (error) {
    return { installed: true, reason: `${packageName} failed to load: ${(error as Error)?.message ?? String(error)}` }
  }
  const registration = registry().registrations.get(key)
  if (!registration) {
    return { installed: true, reason: `${packageName} was loaded from ${entry} but did not register spawn method '${key}'` }
  }
  return { installed: true, registration }
}

function discover(key: string): Promise<Discovery> {
  const state = registry()
  const registered = state.registrations.get(key)
  if (registered) return Promise.resolve({ installed: true, registration: registered })
  let pending = state.discoveries.get(key)
  if (!pending) {
    pending = (async (): Promise<Discovery> => {
      const hint = state.hints.get(key)
      if (hint !== undefined) return importRegistering(key, hint, packageNameOf(key))
      const packageName = conventionalPackage(key)
      if (packageName === undefined) {
        return { installed: false, reason: `unknown spawn method '${key}'; known methods: ${knownSpawnMethods().join(', ')}` }
      }
      const found = resolvePackage(packageName)
      if (!found) return { installed: false, reason: `${packageName} is not installed; install it with \`npm install ${packageName}\`` }
      if ('broken' in found) return { installed: true, reason: found.broken }
      const discovery = await importRegistering(key, found.entry, packageName)
      if (discovery.registration && discovery.registration.version === undefined && found.version !== undefined) {
        return { installed: true, registration: { ...discovery.registration, version: found.version } }
      }
      return discovery
    })()
    state.discoveries.set(key, pending)
  }
  return pending
}

function probe(registration: SpawnMethodRegistration): ProbeResult {
  try {
    return registration.probe()
  } catch (error) {
    return { supported: false, reason: `its probe threw: ${(error as Error)?.message ?? String(error)}` }
  }
}

async function status(key: string): Promise<SpawnMethodStatus> {
  const found = await discover(key)
  const base = { key, builtin: isBuiltinSpawnMethod(key) }
  if (!found.registration) {
    return { ...base, packageName: packageNameOf(key), installed: found.installed, supported: false, reason: found.reason }
  }
  const { packageName, version, entry } = found.registration
  const probed = probe(found.registration)
  return {
    ...base,
    packageName,
    installed: true,
    supported: probed.supported,
    ...(probed.supported ? {} : { reason: probed.reason }),
    ...(version === undefined ? {} : { version }),
    ...(entry === undefined ? {} : { entry }),
  }
}

/**
 * Every known spawn method (the built-in keys, then registered ones) with
 * whether it is installed and supported here, and why not. Never loads a
 * backend; may import a backend package's small registering entry.
 */
export async function listSpawnMethods(): Promise<SpawnMethodStatus[]> {
  return Promise.all(knownSpawnMethods().map(status))
}

async function ensureSupported(key: string): Promise<SpawnMethodRegistration> {
  const found = await discover(key)
  if (!found.registration) throw new SpawnMethodUnavailableError(key, found.reason)
  const probed = probe(found.registration)
  if (!probed.supported) throw new SpawnMethodUnavailableError(key, probed.reason)
  return found.registration
}

/**
 * Load the backend for `key`, once per process.
 *
 * @throws SpawnMethodUnavailableError when the key is unknown, its package is
 * missing, its probe fails, or its `load()` does not give a backend.
 */
export function loadSpawnBackend(key: string): Promise<SpawnBackend> {
  const state = registry()
  let pending = state.backends.get(key)
  if (!pending) {
    pending = (async () => {
      const registration = await ensureSupported(key)
      let backend: unknown
      try {
        backend = await registration.load()
      } catch (error) {
        throw new SpawnMethodUnavailableError(key, `${registration.packageName} failed to load its backend: ${(error as Error)?.message ?? String(error)}`, {
          cause: error,
        })
      }
      const b = backend as Partial<SpawnBackend> | null
      if (b === null || typeof b !== 'object' || typeof b.spawn !== 'function') {
        throw new SpawnMethodUnavailableError(key, `${registration.packageName}'s load() did not return a SpawnBackend ({ key, spawn(request) })`)
      }
      state.loaded.set(key, backend as SpawnBackend)
      return backend as SpawnBackend
    })()
    // A failed load may succeed later (after an install, say), so it is not remembered.
    pending.catch(() => state.backends.delete(key))
    state.backends.set(key, pending)
  }
  return pending
}

/**
 * Set the process-wide default spawn method. The current method is unchanged
 * when this throws.
 *
 * @throws SpawnMethodUnavailableError for an unknown, missing or unsupported key.
 */
export async function trySetStartMethod(key: SpawnMethodKey): Promise<void> {
  await ensureSupported(key)
  registry().current = key
}

/**
 * The process-wide default spawn method: the last one set with
 * {@link trySetStartMethod}, else `HARROW_SPAWN_METHOD`, else `'process'`.
 * Inside an actor, the method that actor was spawned with.
 */
export function getStartMethod(): SpawnMethodKey {
  const state = registry()
  const fromEnv = process.env[SPAWN_METHOD_ENV]
  return (state.current ?? (fromEnv ? fromEnv : DEFAULT_SPAWN_METHOD)) as SpawnMethodKey
}

/** Set the default without checks: an actor's runtime uses it to inherit its own spawn method. */
export function setDefaultStartMethod(key: string): void {
  registry().current = key
}

/** The backends this process has loaded so far, by key. Never loads one. */
export function loadedSpawnBackends(): ReadonlyMap<string, SpawnBackend> {
  return registry().loaded
}
