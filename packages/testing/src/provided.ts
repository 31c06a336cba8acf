/** What `spawnBackendProjects` hands each backend project's test files through vitest's `provide`/`inject`. */

import { inject } from 'vitest'
import { getStartMethod, type SpawnMethodKey } from '@harrow/core'

declare module 'vitest' {
  interface ProvidedContext {
    /** The spawn method of the project running this file. */
    harrowSpawnMethod: string
    /** The module that registers that spawn method's backend, when known. */
    harrowBackendEntry: string
    /** Why a project's backend is unavailable (for the project that only reports it as skipped). */
    harrowUnavailable: string
  }
}

/** The project's spawn method, or the process default outside a backend project. */
export function projectSpawnMethod(): SpawnMethodKey {
  const provided = inject('harrowSpawnMethod') as string | undefined
  return (provided || getStartMethod()) as SpawnMethodKey
}
