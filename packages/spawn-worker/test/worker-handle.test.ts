import { Worker } from 'node:worker_threads'
import { describe, expect, test } from 'vitest'
import { WorkerHandle } from '../src/worker-handle.js'

const script = (source: string): Worker => new Worker(source, { eval: true })

describe('WorkerHandle', () => {
  test('reports the thread id, no exit while running, then resolves wait() once with the code and no signal', async () => {
    const worker = script('setTimeout(() => process.exit(5), 50)')
    const handle = new WorkerHandle(worker)
    expect(handle.threadId).toBe(worker.threadId)
    expect(handle.exit).toBeUndefined()
    const first = handle.wait()
    expect(handle.wait()).toBe(first)
    expect(await first).toEqual({ code: 5, signal: null })
    expect(handle.exit).toEqual({ code: 5, signal: null })
  })

  test('kill() stops a synchronous infinite loop, and terminate()/kill() after exit are no-ops', async () => {
    const worker = script('require("node:worker_threads").parentPort.postMessage("spinning"); for (;;) {}')
    const handle = new WorkerHandle(worker)
    await new Promise((resolve) => worker.once('message', resolve))
    handle.kill()
    handle.kill()
    const exit = await handle.wait()
    expect(exit).toEqual({ code: 1, signal: null })
    handle.terminate()
    handle.kill()
    expect(handle.exit).toBe(exit)
  })

  test("a thread's fatal error is recorded in its exit, never thrown in the parent and never a rejection", async () => {
    const handle = new WorkerHandle(script('throw new TypeError("died on its own")'), (error) => new Error(`described: ${error.message}`))
    const exit = await handle.wait()
    expect(exit.code).toBe(1)
    expect(exit.signal).toBeNull()
    expect(exit.error?.message).toBe('described: died on its own')
  })
})
