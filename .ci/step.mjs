#!/usr/bin/env node
// One bounded step of .ci/run:   node .ci/step.mjs <name> <limit seconds> [--retry-hung] -- <command> [args...]
// Runs the command in a process group of its own and prints how long it took. If it outlives its limit, the process
// tree it left running is printed (what hung, in which kernel wait) before the group is killed: a hang is diagnosed
// in the CI log instead of eating the job's whole time budget. With --retry-hung a step that hung (never one that
// failed) runs once more, since turbo has been seen to wait forever after its tasks ended (vercel/turborepo#8281).
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'

const separator = process.argv.indexOf('--')
const [name, limitText, ...flags] = process.argv.slice(2, separator)
const command = process.argv.slice(separator + 1)
const limit = Number(limitText) * 1000
if (separator < 0 || !name || !(limit > 0) || command.length === 0) {
  console.error('usage: node .ci/step.mjs <name> <limit seconds> [--retry-hung] -- <command> [args...]')
  process.exit(2)
}

/** The pids of `root` and everything under it, from /proc. */
function descendants(root) {
  const children = new Map()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
    } catch {
      // gone meanwhile
    }
  }
  const found = []
  const queue = [root]
  while (queue.length > 0) {
    const pid = queue.shift()
    found.push(pid)
    queue.push(...(children.get(pid) ?? []))
  }
  return found
}

function printTree(root) {
  const pids = descendants(root)
  console.error(`::: ${name}: the processes still running under it:`)
  try {
    const table = execFileSync('ps', ['-o', 'pid,ppid,etimes,stat,wchan:24,args', '--forest', '-p', pids.join(',')], { encoding: 'utf8' })
    console.error(table)
  } catch (error) {
    console.error(`ps failed: ${error.message}`)
  }
}

function run(attempt) {
  const started = Date.now()
  const child = spawn(command[0], command.slice(1), { stdio: 'inherit', detached: true })
  let hung = false
  const timer = setTimeout(() => {
    hung = true
    console.error(`::: ${name}: still running after ${limit / 1000} s (attempt ${attempt})`)
    printTree(child.pid)
    process.kill(-child.pid, 'SIGTERM')
    setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        // the group is gone
      }
    }, 5000).unref()
  }, limit)
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      const seconds = ((Date.now() - started) / 1000).toFixed(0)
      console.error(`::: ${name}: ${hung ? 'hung' : code === 0 ? 'passed' : `failed (${signal ?? code})`} in ${seconds} s`)
      resolve({ hung, code: code ?? 1 })
    })
  })
}

const first = await run(1)
if (first.hung && flags.includes('--retry-hung')) {
  const second = await run(2)
  process.exit(second.hung ? 124 : second.code)
}
process.exit(first.hung ? 124 : first.code)
