// Looking at OS processes from a test (Linux /proc), and running root programs in process groups of their own.

import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, readdirSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { isRunning, processState } from '@harrow/core/backend'

/** True while `pid` runs; a zombie (exited, not reaped yet) counts as gone. */
export const isAlive: (pid: number) => boolean = isRunning

/** The parent of a live process. */
export function parentOf(pid: number): number | undefined {
  return processState(pid)?.ppid
}

/** Live direct children of `pid`. */
export function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((other) => {
      const state = processState(other)
      return state !== undefined && state.ppid === pid && !state.zombie
    })
}

/** A process's command line and environment, as one string (for searching). */
export function processText(pid: number): string {
  const read = (file: string): string => {
    try {
      return readFileSync(`/proc/${pid}/${file}`, 'latin1')
    } catch {
      return ''
    }
  }
  return `${read('cmdline')}\n${read('environ')}`
}

/** Poll `predicate` every 20 ms until it holds or `timeout` ms pass. */
export async function waitFor(predicate: () => boolean, timeout: number): Promise<boolean> {
  const deadline = performance.now() + timeout
  for (;;) {
    if (predicate()) return true
    if (performance.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** A root program started in a process group of its own, with its stdout lines and stderr text. */
export interface RootProgram {
  readonly child: ChildProcess
  /** The next JSON line it prints. */
  line<T>(): Promise<T>
  /** Everything it printed on stderr so far. */
  stderr(): string
  /** SIGKILL its whole process group (safe to call twice). */
  killGroup(): void
}

/** Start `node <program> ...args` detached, so that the test can kill its whole tree in `finally`. */
export function startRoot(program: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): RootProgram {
  const child = spawn(process.execPath, [program, ...args], { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const queue: string[] = []
  const waiters: ((line: string) => void)[] = []
  lines.on('line', (line) => {
    const waiter = waiters.shift()
    if (waiter) waiter(line)
    else queue.push(line)
  })
  const exited = once(child, 'exit')
  return {
    child,
    async line<T>(): Promise<T> {
      const next = queue.shift()
      if (next !== undefined) return JSON.parse(next) as T
      const line = await Promise.race([
        new Promise<string>((resolve) => waiters.push(resolve)),
        exited.then(([code, signal]) => {
          throw new Error(`root program exited early (code ${String(code)}, signal ${String(signal)}): ${stderr}`)
        }),
      ])
      return JSON.parse(line) as T
    },
    stderr: () => stderr,
    killGroup() {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    },
  }
}
