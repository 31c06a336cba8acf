/** Conformance: actor options (env, cwd, execArgv, TypeScript loaders) and what actors print. */

import { execFile } from 'node:child_process'
import { tmpdir } from 'node:os'
import { promisify } from 'node:util'
import { ref, withNursery } from '@harrow/core'
import { describe, expect, test } from 'vitest'
import { fixtureModules, rootProgramArgs, rootPrograms, task, tsLoaderExecArgv } from '../fixture-modules.js'
import type { SuiteContext } from './context.js'

const run = promisify(execFile)

interface Environment {
  value: string | undefined
  cwd: string
  execArgv: string[]
}

export function optionTests({ key, capabilities }: SuiteContext): void {
  const enableModules = [fixtureModules.tasks]

  describe('actor options and output', () => {
    test('env adds variables to the parent environment', async () => {
      process.env.HARROW_TEST_INHERITED = 'from the parent'
      try {
        await withNursery(
          async (nursery) => {
            const portal = await nursery.startActor('env', { enableModules, env: { HARROW_TEST_VALUE: 'set for the actor' } })
            expect((await portal.run<Environment>(task('environment'), ['HARROW_TEST_VALUE'])).value).toBe('set for the actor')
            expect((await portal.run<Environment>(task('environment'), ['HARROW_TEST_INHERITED'])).value).toBe('from the parent')
          },
          { spawnMethod: key },
        )
      } finally {
        delete process.env.HARROW_TEST_INHERITED
      }
    })

    test.runIf(capabilities.processes)('cwd sets the working directory', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('elsewhere', { enableModules, cwd: tmpdir() })
          expect((await portal.run<Environment>(task('environment'), ['X'])).cwd).toBe(tmpdir())
        },
        { spawnMethod: key },
      )
    })

    test("actors inherit the parent's execArgv unless given their own", async () => {
      await withNursery(
        async (nursery) => {
          const inherited = await nursery.startActor('inherits', { enableModules })
          expect((await inherited.run<Environment>(task('environment'), ['X'])).execArgv).toEqual(process.execArgv)
          const own = await nursery.startActor('own-flags', { enableModules, execArgv: ['--no-warnings'] })
          expect((await own.run<Environment>(task('environment'), ['X'])).execArgv).toEqual(['--no-warnings'])
        },
        { spawnMethod: key },
      )
    })

    test('TypeScript actor modules run under a TS loader passed in execArgv', async () => {
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('typed', { enableModules: [fixtureModules.typedTasks], execArgv: [...process.execArgv, ...tsLoaderExecArgv] })
          expect(await portal.run(ref(fixtureModules.typedTasks, 'greet'), ['you'])).toEqual({ text: 'hello, you', from: 'typed' })
        },
        { spawnMethod: key },
      )
    })

    test("an actor's stdout and stderr reach the parent's", async () => {
      const { stdout, stderr } = await run(process.execPath, await rootProgramArgs(rootPrograms.chatty, key), { env: { ...process.env, HARROW_LOG: 'warn' } })
      expect(stdout).toContain('hello from an actor\n')
      expect(stderr).toContain('hello from an actor (on stderr)\n')
    })

    test("HARROW_LOG=debug prints harrow's diagnostics prefixed with the actor's name", async () => {
      const { stderr } = await run(process.execPath, await rootProgramArgs(rootPrograms.chatty, key), { env: { ...process.env, HARROW_LOG: 'debug' } })
      expect(stderr).toMatch(/^\[harrow root\] debug: spawned actor 'chatty'/m)
      expect(stderr).toMatch(/^\[harrow chatty\([^)]*\)\] debug: leaving \(cancelled by the parent\)/m)
    })
  })
}
