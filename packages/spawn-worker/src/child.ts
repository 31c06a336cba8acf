/** The script each worker actor runs: core's actor runtime over the MessagePort it was given. */

import { MessagePort, parentPort, threadId, workerData } from 'node:worker_threads'
import type { Transport } from '@harrow/core/child'
import { exitAfterFlush, rehearseProtocol, runActor } from '@harrow/core/child'
import { SPARE_WAITING, isSpareHandout, type ChildData, type SpareHandout } from './child-data.js'
import { portTransport } from './port-transport.js'

const data = workerData as Partial<ChildData> | null
if (!(data?.port instanceof MessagePort))
  throw new TypeError('@harrow/spawn-worker: child.js is the entry of a worker actor and must be started by the worker backend')

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

/**
 * A spare's channel: the runtime starts at once (its hello waits on the port
 * for whoever takes the spare), but receives nothing until the spare is
 * handed out and the actor's environment set, so that the spawn spec, and
 * with it every line of the actor's code, runs in that environment.
 */
function afterHandout(transport: Transport, handout: Promise<SpareHandout>, replaceProcessEnv: (env: SpareHandout['env']) => void): Transport {
  return {
    send: (frame) => transport.send(frame),
    close: () => transport.close(),
    start(sink) {
      void handout.then(({ env }) => {
        replaceProcessEnv(env)
        transport.start(sink)
      })
    },
  }
}

/** The hand-out, the first message of its kind on `parentPort`. */
function handedOut(port: NonNullable<typeof parentPort>): Promise<SpareHandout> {
  return new Promise((resolve) => {
    const listener = (message: unknown): void => {
      if (!isSpareHandout(message)) return
      port.off('message', listener)
      resolve(message)
    }
    port.on('message', listener)
  })
}

const channel = portTransport(data.port, typeof data.maxFrameSize === 'number' && data.maxFrameSize > 0 ? { maxFrameSize: data.maxFrameSize } : {})
let transport: Transport = channel
const spare = data.spare === true ? parentPort : null
if (spare) {
  // Loaded by a spare while it boots, off any spawn's path; a thread started for its actor sets no environment.
  const { replaceProcessEnv } = await import('@harrow/core/env')
  transport = afterHandout(channel, handedOut(spare), replaceProcessEnv)
}

runActor({
  transport,
  // The channel is already flushed and closed: let stdio reach the parent, then end this thread only.
  exit: (code) => exitAfterFlush(code),
  threadId,
  // A thread receives no signals: its parent's cancel, or worker.terminate(), ends it.
  handleSignals: false,
})

// A spare rehearses the protocol while nobody waits for it, then says it is up.
if (spare) {
  rehearseProtocol()
  spare.postMessage(SPARE_WAITING)
}
