/** A `ProcHandle` over a Node `ChildProcess`. */

import type { ChildProcess } from 'node:child_process'
import { signalChild, type ExitInfo, type ProcHandle } from '@harrow/core/backend'

/**
 * Wraps a child process. Node reaps the child itself (libuv's SIGCHLD
 * handler), so once `wait()` resolves there is no zombie; signals are sent
 * only until its 'exit' (see `signalChild`), so a reused pid is never
 * signalled.
 */
export class ChildProcessHandle implements ProcHandle {
  readonly #child: ChildProcess
  readonly #exited: Promise<ExitInfo>
  #exit: ExitInfo | undefined

  constructor(child: ChildProcess) {
    this.#child = child
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal }
        resolve(this.#exit)
      })
      child.on('error', (error) => {
        // 'error' also reports a failed kill(); only a child that never got a pid did not run.
        if (child.pid === undefined && !this.#exit) {
          this.#exit = { code: null, signal: null, error }
          resolve(this.#exit)
        }
      })
    })
  }

  get pid(): number | undefined {
    return this.#child.pid
  }

  get exit(): ExitInfo | undefined {
    return this.#exit
  }

  wait(): Promise<ExitInfo> {
    return this.#exited
  }

  terminate(): void {
    signalChild(this.#child, 'SIGTERM', this.#exit !== undefined)
  }

  kill(): void {
    signalChild(this.#child, 'SIGKILL', this.#exit !== undefined)
  }
}
