/** The script each worker actor runs: core's actor runtime over the MessagePort it was given. */

import { once } from 'node:events'
import { MessagePort, parentPort, threadId, workerData } from 'node:worker_threads'
import { exitAfterFlush, runActor } from '@harrow/core'
import { replaceProcessEnv } from '@harrow/core/env'
import type { ChildData, SpareHandout } from './launch.js'
import { portTransport } from './port-transport.js'

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

// A spare says it is up, then waits to be handed out: the actor's environment comes first, then its channel.
if (data.spare === true && parentPort) {
  parentPort.postMessage('waiting')
  const [handout] = (await once(parentPort, 'message')) as [SpareHandout]
  replaceProcessEnv(handout.env)
}

runActor({
  transport: portTransport(data.port, typeof data.maxFrameSize === 'number' && data.maxFrameSize > 0 ? { maxFrameSize: data.maxFrameSize } : {}),
  // The channel is already flushed and closed: let stdio reach the parent, then end this thread only.
  exit: (code) => exitAfterFlush(code),
  threadId,
  // A thread receives no signals: its parent's cancel, or worker.terminate(), ends it.
  handleSignals: false,
})
