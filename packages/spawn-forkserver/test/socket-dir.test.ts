import '@harrow/spawn-forkserver'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openNursery, ref } from '@harrow/core'
import { ForkserverError, startForkserver, stopForkserver } from '@harrow/spawn-forkserver'
import { afterEach, describe, expect, test } from 'vitest'
import { baseDir, createSocketDir, ensureBaseDir, removeSocketDir, sweepStaleDirs } from '../src/shared/socket-dir.js'
import { isAlive, startRoot, waitFor } from './processes.js'

const treeRoot = fileURLToPath(new URL('./fixtures/roots/tree.mjs', import.meta.url))
const scratch: string[] = []

function scratchDir(): string {
  // A short name: the tests that point TMPDIR here need room for the forkserver's socket paths below it.
  const dir = mkdtempSync(join(tmpdir(), 'fsd-'))
  scratch.push(dir)
  return dir
}

afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A pid that certainly belongs to no process: one that ran and was reaped. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout)
}

describe('socket directories', () => {
  test('are private: the per-user directory and each forkserver directory have mode 0700, and an owner file names the forkserver', () => {
    const base = join(scratchDir(), 'base')
    const dir = createSocketDir(base)
    expect(statSync(base).mode & 0o777).toBe(0o700)
    expect(statSync(dir.path).mode & 0o777).toBe(0o700)
    expect(dirname(dir.socketPath)).toBe(dir.path)
    expect(existsSync(join(dir.path, 'owner.json'))).toBe(true)
    removeSocketDir(dir.path, base)
    expect(existsSync(dir.path)).toBe(false)
    // The per-user directory goes too once it is empty.
    expect(existsSync(base)).toBe(false)
  })

  test('a per-user directory that is open to others is refused', () => {
    const base = join(scratchDir(), 'open')
    mkdirSync(base, { mode: 0o755 })
    expect(() => ensureBaseDir(base)).toThrow(/not a private directory/)
  })

  test('sweeping removes the directories of dead forkservers and keeps live ones', () => {
    const base = join(scratchDir(), 'base')
    const live = createSocketDir(base)
    const dead = join(base, 'dead-XXXXXX')
    mkdirSync(dead, { mode: 0o700 })
    writeFileSync(join(dead, 'owner.json'), JSON.stringify({ pid: deadPid(), start: null }))
    // What its children left in it goes with it (a warm child's rehearsal socket, a tree member's own socket).
    writeFileSync(join(dead, 'warm-1234.sock'), '')
    writeFileSync(join(dead, '1235-0a0b0c0d.sock'), '')
    const reused = join(base, 'reused-XXXXXX')
    mkdirSync(reused, { mode: 0o700 })
    // A live pid that started at another time than the forkserver that made the directory: a reused pid.
    writeFileSync(join(reused, 'owner.json'), JSON.stringify({ pid: process.ppid, start: '1' }))
    expect(sweepStaleDirs(base).sort()).toEqual([dead, reused].sort())
    expect(existsSync(live.path)).toBe(true)
  })
})

describe('a temp directory too deep for a socket path to fit', () => {
  const uid = process.getuid?.() ?? 'user'

  test('puts the per-user directory under /tmp instead', () => {
    expect(baseDir('/tmp/short')).toBe(`/tmp/short/harrow-forkserver-${uid}`)
    expect(baseDir(`/tmp/${'d'.repeat(70)}`)).toBe(`/tmp/harrow-forkserver-${uid}`)
  })

  test('still gives working actors, and the forkserver removes its directory when it stops', async () => {
    const deep = join(scratchDir(), 'd'.repeat(80))
    mkdirSync(deep)
    const saved = process.env.TMPDIR
    process.env.TMPDIR = deep
    try {
      const server = await startForkserver()
      expect(dirname(dirname(server.address))).toBe(`/tmp/harrow-forkserver-${uid}`)
      const nursery = await openNursery({ spawnMethod: 'forkserver' })
      const tasks = new URL('./fixtures/tasks.mjs', import.meta.url)
      const portal = await nursery.startActor('deep-tmpdir', { enableModules: [tasks] })
      expect(await portal.run(ref(tasks, 'add'), [1, 2])).toBe(3)
      await nursery.close()
      await stopForkserver()
      expect(existsSync(dirname(server.address))).toBe(false)
    } finally {
      await stopForkserver()
      if (saved === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = saved
    }
  })
})

describe('a forkserver that cannot use its directory', () => {
  test('does not start, and the root is told why', async () => {
    const tmp = scratchDir()
    mkdirSync(join(tmp, `harrow-forkserver-${process.getuid?.() ?? 'user'}`), { mode: 0o755 })
    const saved = process.env.TMPDIR
    process.env.TMPDIR = tmp
    try {
      const failure = await startForkserver().catch((e: unknown) => e)
      expect(failure).toBeInstanceOf(ForkserverError)
      expect((failure as Error).message).toMatch(/cannot start: .*not a private directory/)
    } finally {
      if (saved === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = saved
    }
    // The next attempt, with a usable directory, starts one.
    expect((await startForkserver()).pid).toBeGreaterThan(0)
    await stopForkserver()
  })
})

describe('a forkserver killed with SIGKILL along with its root', () => {
  test('leaves its directory behind, and the next forkserver to start removes it', async () => {
    // A temp directory of this test's own, so that no other test's forkserver sweeps it first.
    const tmp = scratchDir()
    const saved = process.env.TMPDIR
    const root = startRoot(treeRoot, [], { ...process.env, TMPDIR: tmp })
    try {
      const tree = await root.line<{ server: number; address: string; actors: number[]; pool: number[] }>()
      expect(tree.address.startsWith(tmp)).toBe(true)
      // All at once: nobody is left to clean up.
      root.killGroup()
      expect(await waitFor(() => ![tree.server, ...tree.actors, ...tree.pool].some(isAlive), 2000)).toBe(true)
      expect(existsSync(tree.address)).toBe(true)
      process.env.TMPDIR = tmp
      const next = await startForkserver()
      expect(next.address.startsWith(tmp)).toBe(true)
      expect(existsSync(dirname(tree.address))).toBe(false)
    } finally {
      root.killGroup()
      await stopForkserver()
      if (saved === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = saved
    }
  })
})
