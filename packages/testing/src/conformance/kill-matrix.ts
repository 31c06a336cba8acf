/**
 * Conformance: the kill matrix. The root, or a middle actor, is killed at a
 * random moment while its subtree spawns, calls, streams or talks through a
 * context; afterwards nothing of that tree may remain, and a surviving parent
 * sees an ActorFailure rather than a hang.
 */

import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { ActorFailure, withNursery } from '@harrow/core'
import { describe, expect, test } from 'vitest'
import { fixtureModules, rootProgramArgs, rootPrograms, task } from '../fixture-modules.js'
import { childPids, commandLine, isAlive, pidsWithEnv, waitFor } from '../processes.js'
import type { SuiteContext } from './context.js'
import { killGroup, readReport } from './root-programs.js'

/** Iterations per backend and target; `HARROW_KILL_ITERATIONS` raises it for soak runs. @default 50 */
const ITERATIONS = Number(process.env.HARROW_KILL_ITERATIONS ?? 50)
/** Root programs killed at once: the machine has 2 cores, and each tree is 3 processes. */
const PARALLEL = 2
const PHASES = ['spawn', 'call', 'stream', 'context'] as const
const TEARDOWN_BOUND = 2000
const TREE_TOKEN = 'HARROW_KILL_TREE'

const randomDelay = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 120)))

/** One root killed with SIGKILL mid-phase; resolves with what of its tree outlived the bound (nothing, if all is well). */
async function killRoot(key: string, phase: string): Promise<string[]> {
  const token = randomUUID()
  const args = await rootProgramArgs(rootPrograms.busy, key)
  args.splice(2, 0, phase)
  const root = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], detached: true, env: { ...process.env, [TREE_TOKEN]: token } })
  try {
    await readReport(root)
    await randomDelay()
    root.kill('SIGKILL')
    const tree = (): number[] => pidsWithEnv(TREE_TOKEN, token).filter((pid) => pid !== root.pid)
    await waitFor(() => tree().length === 0, TEARDOWN_BOUND)
    return tree().map((pid) => `pid ${pid}: ${commandLine(pid)}`)
  } finally {
    killGroup(root.pid)
  }
}

export function killMatrixTests({ key, capabilities }: SuiteContext): void {
  describe('kill matrix', () => {
    test(
      `SIGKILL of the root at random moments (${ITERATIONS} runs across spawn, call, stream, context) leaves nothing of its tree`,
      { timeout: ITERATIONS * 3000 + 30_000 },
      async () => {
        const survivors: string[] = []
        for (let i = 0; i < ITERATIONS; i += PARALLEL) {
          const batch = Array.from({ length: Math.min(PARALLEL, ITERATIONS - i) }, (_, j) => killRoot(key, PHASES[(i + j) % PHASES.length] as string))
          for (const left of await Promise.all(batch)) survivors.push(...left)
        }
        expect(survivors).toEqual([])
      },
    )

    test(
      `killing a middle actor at random moments (${ITERATIONS} runs) is an ActorFailure in its parent and its subtree goes too`,
      { timeout: ITERATIONS * 3000 + 30_000 },
      async () => {
        for (let i = 0; i < ITERATIONS; i++) {
          const phase = PHASES[i % PHASES.length] as string
          let grandchildren: number[] = []
          const failure = await withNursery(
            async (nursery) => {
              const middle = await nursery.startActor('middle', { enableModules: [fixtureModules.tasks] })
              const work = middle.run(task('workload'), [phase])
              await randomDelay()
              if (capabilities.processes && middle.actor.pid !== undefined) {
                grandchildren = childPids(middle.actor.pid)
                process.kill(middle.actor.pid, 'SIGKILL')
              } else {
                // A thread cannot be sent a signal: it ends itself abruptly instead.
                middle.run(task('exitNow'), [137]).catch(() => {})
              }
              await work
            },
            { spawnMethod: key },
          ).catch((e: unknown) => e)
          expect(failure, `run ${i} (${phase})`).toBeInstanceOf(ActorFailure)
          expect(failure).toMatchObject({
            phase: 'running',
            actor: { name: 'middle' },
            ...(capabilities.processes ? { signal: 'SIGKILL', exitCode: null } : { exitCode: 137 }),
          })
          expect(await waitFor(() => !grandchildren.some(isAlive), TEARDOWN_BOUND), `run ${i} (${phase}): grandchildren ${grandchildren.join(', ')}`).toBe(true)
        }
      },
    )
  })
}
