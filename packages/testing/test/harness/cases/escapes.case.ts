// A process started while the file is collected, outside any test: no per-test leak check sees it,
// so only the run's global teardown (the reaper) can end it.
import { spawn } from 'node:child_process'
import { test } from 'vitest'

const escaped = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000) // escaped-the-tests'], { stdio: 'ignore', detached: true })
escaped.unref()
process.stdout.write(`escaped pid ${escaped.pid}\n`)

test('runs while the escaped process lives', () => {})
