/** Conformance: actor options (env, cwd, execArgv, TypeScript loaders) and what actors print. */

import { execFile } from 'node:child_process'
import { tmpdir } from 'node:os'
import { dirname } from 'node:path'
import { promisify } from 'node:util'
import { ref, withNursery } from '@harrow/core'
import { hasCompileCache } from '@harrow/core/backend'
import { describe, expect, test } from 'vitest'
import { fixtureModules, rootProgramArgs, rootPrograms, task, tsLoaderExecArgv } from '../fixture-modules.js'
import type { SuiteContext } from './context.js'

const run = promisify(execFile)

interface Environment {
  value: string | undefined
  cwd: string
  execArgv: string[]
  execPath: string
  version: string
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

    test("actors load their modules through Node's compile cache where Node has one (>= 22.1), unless HARROW_COMPILE_CACHE=0", async () => {
      // The directory is per user, so on another host (ssh) it is that login's, unless Node's NODE_COMPILE_CACHE names one.
      const supported = hasCompileCache()
      await withNursery(
        async (nursery) => {
          const cached = await nursery.startActor('cached', { enableModules })
          const dir = await cached.run<string | null>(task('compileCacheDir'))
          if (!supported) expect(dir).toBeNull()
          // Node 22.1 to 22.7 cannot say where: only that the cache is not off.
          else if (process.env.NODE_COMPILE_CACHE || dir === 'unknown') expect(dir).toEqual(expect.any(String))
          else expect(dir === null ? null : dirname(dir)).toMatch(/\/harrow\/compile-cache$/)
          const uncached = await nursery.startActor('uncached', { enableModules, env: { HARROW_COMPILE_CACHE: '0', NODE_COMPILE_CACHE: undefined } })
          if (dir !== 'unknown') expect(await uncached.run(task('compileCacheDir'))).toBeNull()
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

    test.runIf(capabilities.processes)("execPath chooses an actor's executable, and the parent's flags stay with the parent's runtime", async () => {
      // HARROW_TEST_OTHER_RUNTIME (set by `pnpm test:runtimes`) names another Node, Bun or Deno executable to start actors on.
      const other = process.env.HARROW_TEST_OTHER_RUNTIME
      await withNursery(
        async (nursery) => {
          const same = await nursery.startActor('same-runtime', { enableModules, execPath: process.execPath })
          expect(await same.run<Environment>(task('environment'), ['X'])).toMatchObject({ execPath: process.execPath, execArgv: process.execArgv })
          if (other) {
            const elsewhere = await nursery.startActor('other-runtime', { enableModules, execPath: other })
            expect((await elsewhere.run<Environment>(task('environment'), ['X'])).execPath).toBe(other)
          }
        },
        { spawnMethod: key },
      )
    })

    test.runIf(!capabilities.processes)('execPath is refused at the call site with a TypeError: a thread runs on its process', async () => {
      await withNursery(
        async (nursery) => {
          await expect(nursery.startActor('elsewhere', { enableModules, execPath: process.execPath })).rejects.toThrow(TypeError)
          expect(nursery.children).toEqual([])
        },
        { spawnMethod: key },
      )
    })

    test.runIf(process.env.HARROW_EXPECT_NODE_MAJOR !== undefined)('actors run on the Node major that HARROW_EXPECT_NODE_MAJOR names', async () => {
      const major = `v${process.env.HARROW_EXPECT_NODE_MAJOR ?? ''}.`
      expect(process.version.startsWith(major)).toBe(true)
      await withNursery(
        async (nursery) => {
          const portal = await nursery.startActor('versioned', { enableModules })
          expect((await portal.run<Environment>(task('environment'), ['X'])).version.startsWith(major)).toBe(true)
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
