/** The script each worker actor runs: core's actor runtime over the MessagePort it was given. */

import { MessagePort, threadId, workerData } from 'node:worker_threads'
import { runActor } from '@harrow/core'
import type { ChildData } from './backend.js'
import { portTransport } from './port-transport.js'

/** How long exiting waits for stdio to reach the parent, in ms. */
const FLUSH_BOUND = 500

const data = workerData as Partial<ChildData> | null
if (!(data?.port instanceof MessagePort)) throw new TypeError('@harrow/spawn-worker: child.js is the entry of a worker actor and must be started by the worker backend')

/** True when this thread already loads TypeScript (tsx registered itself here). */
async function typescriptLoads(): Promise<boolean> {
  try {
    await import(new URL('./ts-probe.ts', import.meta.url).href)
    return true
  } catch {
    return false
  }
}

// tsx registers its hooks on the main thread only (before Node 22.22.3 / 24.11.1): register it here through its own API.
if (data.tsxApi !== undefined && !(await typescriptLoads())) {
  const { register } = (await import(data.tsxApi)) as { register?: () => unknown }
  if (typeof register === 'function') register()
}

function flushed(stream: NodeJS.WritableStream & { writableLength?: number }): Promise<void> {
  return new Promise((resolve) => {
    if (!stream.writableLength) resolve()
    else stream.write('', () => resolve())
  })
}

/** The channel is already flushed and closed: let stdio reach the parent, then end this thread only. */
function exit(code: number): void {
  setTimeout(() => process.exit(code), FLUSH_BOUND).unref()
  void Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => process.exit(code))
}

runActor({
  transport: portTransport(data.port, typeof data.maxFrameSize === 'number' && data.maxFrameSize > 0 ? { maxFrameSize: data.maxFrameSize } : {}),
  exit,
  threadId,
  // A thread receives no signals: its parent's cancel, or worker.terminate(), ends it.
  handleSignals: false,
})
