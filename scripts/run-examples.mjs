#!/usr/bin/env node
// Runs every example (`pnpm run examples`, or `pnpm run examples fanout pipeline` for some): each one's
// `start` script exactly as a reader would type it, one at a time, each with a time limit. Fails when
// an example exits non-zero, runs out of time, or leaves a process behind once it has exited.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const examplesDir = join(root, 'examples')

/** Per example, in ms: each should end in a few seconds; the margin is for a loaded CI machine. */
const TIME_LIMIT = Number(process.env.EXAMPLE_TIME_LIMIT ?? 90_000)
/** How long a finished example's processes get to be gone: an orphaned actor leaves within 2 s. */
const LEAK_GRACE = 3000
/** Between SIGTERM and SIGKILL for an example that ran out of time. */
const KILL_GRACE = 2000
/** Every process an example starts inherits this variable, which is how leftovers are found. */
const TOKEN_ENV = 'HARROW_EXAMPLES_TOKEN'

const canSeeProcesses = existsSync('/proc/self/environ')

/** The processes (other than this one) whose environment holds `token`, with their command lines. */
function processesWith(token) {
  if (!canSeeProcesses) return []
  const needle = `${TOKEN_ENV}=${token}\0`
  const found = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'latin1').includes(needle)) continue
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim()
      found.push({ pid: Number(entry), command })
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found
}

function kill(pid, signal) {
  try {
    process.kill(pid, signal)
  } catch {
    // Already gone.
  }
}

const wanted = process.argv.slice(2)
const examples = readdirSync(examplesDir)
  .filter((dir) => existsSync(join(examplesDir, dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(examplesDir, dir, 'package.json'), 'utf8')) }))
  .filter(({ dir, manifest }) => manifest.scripts?.start && (wanted.length === 0 || wanted.includes(dir)))
  .sort((a, b) => a.dir.localeCompare(b.dir))

const unknown = wanted.filter((name) => !examples.some(({ dir }) => dir === name))
if (unknown.length > 0) {
  console.error(`run-examples: no example named ${unknown.join(', ')} in examples/`)
  process.exit(2)
}
if (!canSeeProcesses) console.log('run-examples: no /proc here, so leftover processes are not checked')

/** The example running now, so that an interrupt can end it. */
let current

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (current) kill(-current.pid, 'SIGKILL')
    process.exit(130)
  })
}

/** Run one example; resolves with what went wrong, or `undefined`. */
async function runExample({ manifest }) {
  const token = randomUUID()
  const command = ['pnpm', '--filter', manifest.name, 'start']
  console.log(`\n=== ${command.join(' ')}`)
  const started = performance.now()
  // Its own process group, so that running out of time ends the whole example, pnpm included.
  const child = spawn(command[0], command.slice(1), { cwd: root, stdio: 'inherit', detached: true, env: { ...process.env, [TOKEN_ENV]: token } })
  current = child
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    kill(-child.pid, 'SIGTERM')
    setTimeout(() => kill(-child.pid, 'SIGKILL'), KILL_GRACE).unref()
  }, TIME_LIMIT)
  const [code, signal] = await new Promise((resolve) => {
    child.once('error', (error) => resolve([null, error.message]))
    child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]))
  })
  clearTimeout(timer)
  current = undefined
  const seconds = ((performance.now() - started) / 1000).toFixed(1)

  let leftovers = processesWith(token)
  for (const deadline = Date.now() + LEAK_GRACE; leftovers.length > 0 && Date.now() < deadline; leftovers = processesWith(token)) await sleep(100)
  for (const { pid } of leftovers) kill(pid, 'SIGKILL')

  const problems = []
  if (timedOut) problems.push(`ran out of time after ${TIME_LIMIT / 1000} s`)
  else if (code !== 0) problems.push(`exited with ${code === null ? signal : `code ${code}`}`)
  if (leftovers.length > 0)
    problems.push(
      `left ${leftovers.length} process(es) behind (now killed):\n${leftovers.map(({ pid, command: line }) => `      pid ${pid}: ${line}`).join('\n')}`,
    )
  console.log(problems.length === 0 ? `--- ${manifest.name}: ok in ${seconds} s` : `--- ${manifest.name}: FAILED in ${seconds} s: ${problems.join('; ')}`)
  return problems.length === 0 ? undefined : problems.join('; ')
}

const failures = []
for (const example of examples) {
  const problem = await runExample(example)
  if (problem) failures.push(`${example.manifest.name}: ${problem}`)
}

console.log('')
for (const failure of failures) console.log(`failed: ${failure}`)
console.log(`examples: ${examples.length - failures.length} passed, ${failures.length} failed`)
process.exitCode = failures.length > 0 ? 1 : 0
