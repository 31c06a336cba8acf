/** Conformance: no actor outlives its root, whether the root is SIGKILLed or interrupted with Ctrl-C. */

import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { ActorFailure, withNursery } from '@harrow/core'
import { describe, expect, test } from 'vitest'
import { fixtureModules, rootProgramArgs, rootPrograms, task } from '../fixture-modules.js'
import { commandLine, isAlive, processGroup, waitFor } from '../processes.js'
import type { SuiteContext } from './context.js'
import { killGroup, readReport } from './root-programs.js'

/** How long a tree may take to disappear after its root dies or is interrupted. */
const TEARDOWN_BOUND = 2000

export function orphanTests({ key, capabilities }: SuiteContext): void {
  describe.runIf(capabilities.processes)('orphans and signals', () => {
    test('a root killed with SIGKILL leaves no actor behind', async () => {
      // Its own process group, so that a failed test can still clean up the whole tree.
      const root = spawn(process.execPath, await rootProgramArgs(rootPrograms.tree, key), { stdio: ['ignore', 'pipe', 'inherit'], detached: true })
      try {
        const { pids } = await readReport(root)
        expect(pids).toHaveLength(4)
        expect(pids.every(isAlive)).toBe(true)
        root.kill('SIGKILL')
        // The whole tree (its process group: actors, and a forkserver if the backend has one; actors elsewhere, as on
        // another host, by pid) is gone in time.
        const gone = await waitFor(() => processGroup(root.pid as number).length === 0 && !pids.some(isAlive), TEARDOWN_BOUND)
        expect(pids.filter(isAlive)).toEqual([])
        expect(processGroup(root.pid as number).map(commandLine)).toEqual([])
        expect(gone).toBe(true)
      } finally {
        killGroup(root.pid)
      }
    })

    test('a middle actor killed with SIGKILL is an ActorFailure in its parent, and its own child exits', async () => {
      let grandchild = 0
      const failure = await withNursery(
        async (nursery) => {
          const middle = await nursery.startActor('middle', { enableModules: [fixtureModules.tasks] })
          grandchild = await middle.run<number>(task('spawnDaemonGrandchild'))
          expect(isAlive(grandchild)).toBe(true)
          process.kill(middle.actor.pid as number, 'SIGKILL')
          await middle.run(task('sleep'), [60_000])
        },
        { spawnMethod: key },
      ).catch((e: unknown) => e)
      expect(failure).toBeInstanceOf(ActorFailure)
      expect(failure).toMatchObject({ actor: { name: 'middle' }, signal: 'SIGKILL', exitCode: null, phase: 'running' })
      expect(await waitFor(() => !isAlive(grandchild), TEARDOWN_BOUND)).toBe(true)
    })

    test('Ctrl-C (SIGINT to the process group) tears the tree down, exits 130 and prints no stack trace', async () => {
      const root = spawn(process.execPath, await rootProgramArgs(rootPrograms.interrupt, key), { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      let stderr = ''
      root.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      try {
        const { pids } = await readReport(root)
        expect(pids).toHaveLength(4)
        const exited = once(root, 'exit') as Promise<[number | null, string | null]>
        process.kill(-(root.pid as number), 'SIGINT')
        const [code, signal] = await exited
        expect({ code, signal }).toEqual({ code: 130, signal: null })
        expect(await waitFor(() => processGroup(root.pid as number).length === 0, TEARDOWN_BOUND)).toBe(true)
        expect(pids.filter(isAlive)).toEqual([])
        expect(stderr).toBe('')
      } finally {
        killGroup(root.pid)
      }
    })
  })
}
