/** A `ProcHandle` over a `worker_threads` Worker. */

import type { Worker } from 'node:worker_threads'
import type { ExitInfo, ProcHandle } from '@harrow/core/backend'

/**
 * Wraps one Worker. `wait()` resolves exactly once, with `{ code, signal:
 * null }` and the thread's fatal error when it had one (out of memory, a
 * failed `--import`, a crash before harrow's runtime took over); it never
 * rejects. A thread has no signals: `terminate()` and `kill()` both call
 * `worker.terminate()`, which stops the thread even inside a synchronous
 * infinite loop, and both are no-ops once it has exited.
 */
export class WorkerHandle implements ProcHandle {
  readonly threadId: number
  readonly #worker: Worker
  readonly #exited: Promise<ExitInfo>
  #exit: ExitInfo | undefined
  #error: Error | undefined
  #terminating = false

  /**
   * @param describeError turns the thread's fatal error into the one the actor's `ActorFailure` reports.
   */
  constructor(worker: Worker, describeError: (error: Error) => Error = (error) => error) {
    this.#worker = worker
    this.threadId = worker.threadId
    // Always listened to: an 'error' event without a listener would crash the parent.
    worker.on('error', (error: Error) => {
      this.#error ??= describeError(error)
    })
    this.#exited = new Promise((resolve) => {
      worker.once('exit', (code: number) => {
        this.#exit = { code, signal: null, ...(this.#error ? { error: this.#error } : {}) }
        resolve(this.#exit)
      })
    })
  }

  get exit(): ExitInfo | undefined {
    return this.#exit
  }

  wait(): Promise<ExitInfo> {
    return this.#exited
  }

  terminate(): void {
    if (this.#exit || this.#terminating) return
    this.#terminating = true
    // Its promise only repeats the exit code that 'exit' reports; a failure to stop shows as a wait that does not end.
    this.#worker.terminate().catch(() => {})
  }

  kill(): void {
    this.terminate()
  }
}
