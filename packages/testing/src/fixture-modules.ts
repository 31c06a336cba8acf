/** The actor modules and root programs the conformance suite runs. */

import { fileURLToPath } from 'node:url'
import { listSpawnMethods, ref, type FnRef } from '@harrow/core'

const at = (path: string): URL => new URL(`../fixtures/${path}`, import.meta.url)

/** URLs of the fixture modules. */
export const fixtureModules = {
  tasks: at('tasks.mjs'),
  other: at('other.mjs'),
  throwsOnImport: at('throws-on-import.mjs'),
  exitsDuringBoot: at('exits-during-boot.mjs'),
  typedTasks: at('typed-tasks.ts'),
} as const

/** Paths of the root programs that kill tests run as separate processes. */
export const rootPrograms = {
  tree: fileURLToPath(at('roots/tree.mjs')),
  interrupt: fileURLToPath(at('roots/interrupt.mjs')),
  chatty: fileURLToPath(at('roots/chatty.mjs')),
  interruptWedged: fileURLToPath(at('roots/interrupt-wedged.mjs')),
  exhaust: fileURLToPath(at('roots/exhaust.mjs')),
  busy: fileURLToPath(at('roots/busy.mjs')),
} as const

/**
 * Node flags that load tsx, resolved from this package so they work from any
 * working directory: add them to an actor's `execArgv` to run TypeScript actor modules.
 */
export const tsLoaderExecArgv: readonly string[] = ['--import', import.meta.resolve('tsx')]

/** A reference to an export of the tasks fixture. */
export function task(name: string): FnRef {
  return ref(fixtureModules.tasks, name)
}

/**
 * Arguments to run a root program for spawn method `key`: the program, the
 * key, and the module that registers the backend (found through the registry),
 * so the program works from any directory.
 */
export async function rootProgramArgs(program: string, key: string): Promise<string[]> {
  const entry = (await listSpawnMethods()).find((row) => row.key === key)?.entry
  return [program, key, ...(entry ? [entry] : [])]
}
