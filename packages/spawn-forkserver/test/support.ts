// Helpers for tests that run the forkserver in this process.

import { configureForkserver, forkserverInfo, stopForkserver } from '@harrow/spawn-forkserver'
import { afterEach } from 'vitest'
import { waitFor } from './processes.js'

/** The actor module the tests call into. */
export const tasks = new URL('./fixtures/tasks.mjs', import.meta.url)

/** Wait until this process's forkserver has `count` ready idle children. */
export async function waitForPool(count: number, timeout = 20_000): Promise<readonly number[]> {
  const ok = await waitFor(() => (forkserverInfo()?.pool.ready.length ?? 0) >= count, timeout)
  if (!ok) throw new Error(`the pool did not reach ${count} ready children within ${timeout} ms: ${JSON.stringify(forkserverInfo()?.pool)}`)
  return forkserverInfo()?.pool.ready ?? []
}

/** The forkserver's pid, which must be running. */
export function serverPid(): number {
  const pid = forkserverInfo()?.pid
  if (pid === undefined) throw new Error('no forkserver runs')
  return pid
}

/** After each test of the file: stop this process's forkserver and restore the default configuration. */
export function resetForkserverAfterEach(): void {
  afterEach(async () => {
    await stopForkserver()
    configureForkserver({ poolSize: 2, preload: [], execArgv: process.execArgv })
  })
}
