/** The actor modules and root programs the conformance suite runs. */

import { fileURLToPath } from 'node:url'
import { ref, type FnRef } from '@harrow/core'

const at = (path: string): URL => new URL(`../fixtures/${path}`, import.meta.url)

/** URLs of the fixture modules. */
export const fixtureModules = {
  tasks: at('tasks.mjs'),
  other: at('other.mjs'),
  throwsOnImport: at('throws-on-import.mjs'),
  exitsDuringBoot: at('exits-during-boot.mjs'),
} as const

/** Paths of the root programs that kill tests run as separate processes. */
export const rootPrograms = {
  tree: fileURLToPath(at('roots/tree.mjs')),
  interrupt: fileURLToPath(at('roots/interrupt.mjs')),
} as const

/** A reference to an export of the tasks fixture. */
export function task(name: string): FnRef {
  return ref(fixtureModules.tasks, name)
}
