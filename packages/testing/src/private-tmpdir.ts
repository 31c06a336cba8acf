/**
 * A temp directory of each test file's own: `TMPDIR` points into it while the
 * file runs, so the socket files its actors and backends make (a forkserver's,
 * say) sit apart from those of files running beside it in other workers, and
 * the leak check sees only its own. Removed, with whatever is left in it, when
 * the file ends.
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Prefix of each test file's temp directory, under the temp directory the run started with. */
export const FILE_TMPDIR_PREFIX = 'harrow-test-'

/** Point `TMPDIR` at a new private directory (mode 0700) for this file; returns a function that restores it and removes the directory. */
export function usePrivateTmpdir(): () => void {
  const before = process.env.TMPDIR
  const dir = mkdtempSync(join(tmpdir(), FILE_TMPDIR_PREFIX))
  process.env.TMPDIR = dir
  return () => {
    if (before === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = before
    rmSync(dir, { recursive: true, force: true })
  }
}
