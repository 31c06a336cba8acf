// A file's own temp directory: private, and left with a file in it, which must go with it (the harness checks after
// the run that the directory is gone).
import { statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'

const dir = tmpdir()
process.stdout.write(`file tmpdir ${dir}\n`)

test('the file runs with a private temp directory of its own', () => {
  expect(process.env.TMPDIR).toBe(dir)
  expect(statSync(dir).mode & 0o777).toBe(0o700)
  writeFileSync(join(dir, 'left-behind'), 'the directory goes with it')
})
