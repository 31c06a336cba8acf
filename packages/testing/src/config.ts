/**
 * `spawnBackendProjects`, for `vitest.config.ts`: one vitest project per
 * spawn method, taken from the key union and the registry.
 */

import { fileURLToPath } from 'node:url'
import { listSpawnMethods, SPAWN_METHOD_ENV, type SpawnMethodKey, type SpawnMethodStatus } from '@harrow/core'
import type { TestProjectInlineConfiguration } from 'vitest/config'

type ProjectTestOptions = NonNullable<TestProjectInlineConfiguration['test']>

/** Options of {@link spawnBackendProjects}. */
export interface SpawnBackendProjectsOptions {
  /** Test files every backend project runs. @default ['test/**\/*.test.ts'] */
  readonly include?: string[]
  /** Test files no backend project runs. */
  readonly exclude?: string[]
  /** Only these spawn methods. @default every known one (`HARROW_SPAWN_METHOD` narrows it further) */
  readonly backends?: readonly SpawnMethodKey[]
  /**
   * What a backend needs at run time beyond its probe (a server to reach): by
   * key, a check that returns why the backend's project cannot run here, or
   * `undefined` when it can. A backend whose check fails is reported as a
   * skipped project with that reason (or, when asked for, a usage error).
   */
  readonly prerequisites?: Readonly<Record<string, () => string | undefined>>
  /** More vitest options for every backend project (timeouts, pool, ...). */
  readonly test?: Omit<ProjectTestOptions, 'name' | 'include' | 'exclude' | 'provide'>
}

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url))

/** Spawn methods named with `--project` on the vitest command line. */
function projectsOnCommandLine(argv: readonly string[]): string[] {
  const names: string[] = []
  argv.forEach((arg, i) => {
    if (arg === '--project' && argv[i + 1] !== undefined) names.push(argv[i + 1] as string)
    else if (arg.startsWith('--project=')) names.push(arg.slice('--project='.length))
  })
  return names
}

/** End the run with one line and no stack trace, as a usage error. */
function usageError(line: string): never {
  process.stderr.write(`harrow: ${line}\n`)
  process.exit(2)
}

function backendProject(row: SpawnMethodStatus, options: SpawnBackendProjectsOptions): TestProjectInlineConfiguration {
  return {
    test: {
      testTimeout: 30_000,
      hookTimeout: 30_000,
      ...options.test,
      name: row.key,
      include: options.include ?? ['test/**/*.test.ts'],
      ...(options.exclude ? { exclude: options.exclude } : {}),
      setupFiles: [here('./setup.js'), ...toArray(options.test?.setupFiles)],
      globalSetup: [here('./global-setup.js'), ...toArray(options.test?.globalSetup)],
      env: { ...options.test?.env, [SPAWN_METHOD_ENV]: row.key },
      provide: { harrowSpawnMethod: row.key, harrowBackendEntry: row.entry ?? '', harrowUnavailable: '' },
    },
  }
}

function unavailableProject(row: SpawnMethodStatus): TestProjectInlineConfiguration {
  return {
    test: {
      name: row.key,
      root: here('.'),
      include: ['unavailable.test.js'],
      exclude: [],
      provide: { harrowSpawnMethod: row.key, harrowBackendEntry: '', harrowUnavailable: `${row.key}: ${row.reason ?? 'unknown reason'}` },
    },
  }
}

function toArray(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value]
}

/**
 * One vitest project per spawn method, named by its key (`vitest --project
 * worker` runs one). The list comes from `SPAWN_METHODS` and the registry.
 * `HARROW_SPAWN_METHOD=key` narrows the run to one backend. A backend that is
 * asked for (by that variable or `--project`) but missing or unsupported ends
 * the run with a one-line usage error; one nobody asked for is reported as a
 * skipped project with the reason.
 *
 * Every backend project gets harrow's setup file (the backend's registration,
 * the watchdog and the leak check after every test) and a global setup that
 * reaps anything left over at the end of the run.
 */
export async function spawnBackendProjects(options: SpawnBackendProjectsOptions = {}): Promise<TestProjectInlineConfiguration[]> {
  const rows = (await listSpawnMethods()).map((row): SpawnMethodStatus => {
    const missing = row.supported ? options.prerequisites?.[row.key]?.() : undefined
    return missing === undefined ? row : { ...row, supported: false, reason: missing }
  })
  const known = new Map(rows.map((row) => [row.key, row]))
  const fromEnv = process.env[SPAWN_METHOD_ENV]
  const requested = [...(fromEnv ? [fromEnv] : []), ...projectsOnCommandLine(process.argv).filter((name) => known.has(name))]
  for (const key of requested) {
    const row = known.get(key)
    if (!row) usageError(`${SPAWN_METHOD_ENV}=${key} is not a spawn method; known: ${[...known.keys()].join(', ')}`)
    if (!row.supported) usageError(`spawn method '${key}' is unavailable: ${row.reason ?? 'unknown reason'}`)
  }
  const keys = fromEnv ? [fromEnv] : (options.backends ?? rows.map((row) => row.key))
  return keys.map((key) => {
    const row = known.get(key)
    if (!row) usageError(`spawnBackendProjects: '${key}' is not a spawn method; known: ${[...known.keys()].join(', ')}`)
    return row.supported ? backendProject(row, options) : unavailableProject(row)
  })
}
