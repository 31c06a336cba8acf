/** The actor modules and root programs the conformance suite runs. */

import { fileURLToPath } from 'node:url'
import { listSpawnMethods, ref, type FnRef } from '@harrow/core'

const at = (path: string): URL => new URL(`../fixtures/${path}`, import.meta.url)

/** URLs of the fixture modules. */
export const fixtureModules = {
  /** The actor module most tests call into: calls, streams, contexts, failures, workloads. */
  tasks: at('tasks.mjs'),
  /** A module no test enables: calls into it must be refused. */
  other: at('other.mjs'),
  /** Throws while it is imported. */
  throwsOnImport: at('throws-on-import.mjs'),
  /** Calls `process.exit(3)` while it is imported. */
  exitsDuringBoot: at('exits-during-boot.mjs'),
  /** A TypeScript actor module, for tests under a TS loader. */
  typedTasks: at('typed-tasks.ts'),
} as const

/** Paths of the root programs that kill tests run as separate processes. */
export const rootPrograms = {
  /** Two children with a daemon grandchild each, then waits to be killed. */
  tree: fileURLToPath(at('roots/tree.mjs')),
  /** Two nurseries from two tasks, busy in long calls, waiting for Ctrl-C. */
  interrupt: fileURLToPath(at('roots/interrupt.mjs')),
  /** An actor that prints to stdout and stderr. */
  chatty: fileURLToPath(at('roots/chatty.mjs')),
  /** A wedged actor under a 30 s terminateAfter: only a second Ctrl-C ends it fast. */
  interruptWedged: fileURLToPath(at('roots/interrupt-wedged.mjs')),
  /** Starts actors until one cannot start (run it under a low `ulimit -n`). */
  exhaust: fileURLToPath(at('roots/exhaust.mjs')),
  /** The core scenarios run in one root, for the runtime conformance run under Bun and Deno. */
  scenarios: fileURLToPath(at('roots/scenarios.mjs')),
  /** root, middle and grandchild busy in one phase of work, for the kill matrix. */
  busy: fileURLToPath(at('roots/busy.mjs')),
  /** Ends its own code with its nursery open and a call in flight (`UNCLOSED_FAIL=1`: after an actor died). */
  unclosed: fileURLToPath(at('roots/unclosed.mjs')),
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
