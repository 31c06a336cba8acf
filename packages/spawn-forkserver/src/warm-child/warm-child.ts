/**
 * The script every child of the forkserver runs. While idle it boots as far
 * as an actor can without its parent: core and the preload modules imported,
 * core's actor runtime started on a channel whose connection comes later.
 * Handed out, it connects straight to the parent that asked for the actor,
 * proves the spawn's ticket, takes the actor's environment and working
 * directory, and is that actor from then on.
 */

import { type Socket, createConnection, createServer } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { enableCompileCache, inheritedChannel } from '@harrow/core/backend'
import type * as BackendHelpers from '@harrow/core/backend'
import type * as ChildRuntime from '@harrow/core/child'
import { replaceProcessEnv } from '@harrow/core/env'
import { applyEnvDelta } from '../shared/env.js'
import { LateTransport } from './late-transport.js'
import { MessageReader, encodeMessage, isEnvDelta, type AssignMessage, type ChildReport, type TicketMessage, type WarmUpMessage } from '../shared/wire.js'

/** How long after its hand-out a child closes its IPC channel to the forkserver, in ms. */
const CHANNEL_CLOSE_DELAY = 100

/** The parts of core a warm child drives itself: the actor runtime, the socket transport, and module import. */
type Core = typeof ChildRuntime & Pick<typeof BackendHelpers, 'socketTransport' | 'importModule'>

/** Set once core is loaded (it is loaded late, on purpose: see below); nothing logs before. */
let log!: BackendHelpers.Logger
/** The pool's environment, as this child was booted with it: an actor's environment may come as a delta from it. */
const bootEnv = { ...process.env }
const preload = process.argv.slice(2)
/** The runtime's channel, whose connection comes at the hand-out. */
const channel = new LateTransport()

/** Where this child is in its life; an assignment that arrives before it can be handed out waits in the phase. */
type Phase =
  /** Loading core and the preload modules. */
  | { readonly name: 'booting'; readonly assignment: AssignMessage | undefined }
  /** Core's runtime runs on {@link channel}, which has no connection yet. */
  | { readonly name: 'idle'; readonly core: Core; readonly assignment: AssignMessage | undefined }
  /** Connected to the parent that asked for the actor: this process is that actor. */
  | { readonly name: 'handed-out'; readonly core: Core; readonly socket: Socket }

let phase: Phase = { name: 'booting', assignment: undefined }

function report(message: ChildReport): void {
  if (process.connected && process.send) process.send(message, undefined, {}, () => {})
}

// An idle child belongs to the forkserver: Ctrl-C to the process group is not for it.
const ignoreInterrupt = (): void => {}
process.on('SIGINT', ignoreInterrupt)

// The liveness link: fd 3 closes when the forkserver dies, however it dies. An idle child
// then has nothing to do; an actor goes down with the forkserver, which can no longer reap it.
const link = inheritedChannel(3, { writable: false })
link.on('error', () => {})
link.on('close', () => {
  if (phase.name === 'handed-out') process.kill(process.pid, 'SIGKILL')
  else process.exit(0)
})
link.resume()
link.unref()

/** The socket file to rehearse the hand-out on, once the forkserver says. */
let warmUpPath: ((path: string) => void) | undefined
const warmUpAt = new Promise<string>((resolve) => (warmUpPath = resolve))

process.on('message', (message: AssignMessage | WarmUpMessage) => {
  if (message?.op === 'warm-up') return warmUpPath?.(message.path)
  if (message?.op !== 'assign' || phase.name === 'handed-out' || phase.assignment) return
  // Idle (rehearsing, maybe): at once. Booting: once the runtime runs.
  if (phase.name === 'idle') handOut(phase.core, message)
  else phase = { ...phase, assignment: message }
})

/**
 * Hide the IPC channel once the assignment is in: actors of every backend
 * look alike to user code, and a process backend actor has no `process.send`.
 * It is closed a moment later, off the actor's critical path; `disconnect`
 * and `connected` go then (Node itself calls `disconnect` when the channel
 * ends first, as it does when the forkserver dies).
 */
function dropChannel(): void {
  const self = process as unknown as Record<string, unknown>
  delete self.send
  setTimeout(() => {
    if (self.connected === true) process.disconnect?.()
    delete self.disconnect
    delete self.connected
  }, CHANNEL_CLOSE_DELAY).unref()
}

/** How long a warm child waits for its rehearsal, in ms: it is only an optimisation. */
const WARM_UP_BOUND = 2000

/**
 * Rehearse a hand-out while idle, so that the real one runs warm code: in a
 * fresh process, every path used for the first time (receiving an IPC
 * message, connecting to a Unix socket, core's framing on a socket, replacing
 * the environment) is compiled on first use, which put milliseconds on the
 * actor's critical path. The child connects to itself through a throwaway
 * socket in the forkserver's private directory, closed (and so removed) once
 * done; if the child is killed meanwhile, the forkserver removes it.
 */
async function rehearse(runtime: Core): Promise<void> {
  const path = await Promise.race([warmUpAt, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), WARM_UP_BOUND).unref())])
  if (path === undefined) return
  const server = createServer()
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(path, resolve)
    })
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve))
    const client = createConnection(path)
    client.write(encodeMessage({ ticket: 'rehearsal', pid: process.pid } satisfies TicketMessage))
    const peer = await accepted
    const echo = new MessageReader()
    await new Promise<void>((resolve) => {
      peer.once('data', (chunk: Buffer) => {
        echo.push(chunk, 1)
        resolve()
      })
    })
    // Core's framing both ways, as the actor's channel will use it.
    const near = runtime.socketTransport(client)
    const far = runtime.socketTransport(peer)
    const echoed = new Promise<void>((resolve) => near.start({ frame: () => resolve(), close: () => resolve() }))
    far.start({ frame: (frame) => far.send(frame), close: () => {} })
    near.send(new Uint8Array([0x90]))
    await echoed
    near.close()
    far.close()
    client.destroy()
    peer.destroy()
    replaceProcessEnv({ ...(process.env as Record<string, string>) })
  } catch {
    // Only an optimisation.
  } finally {
    server.close()
  }
}

/**
 * Collect the garbage of booting now, while idle: otherwise the actor's first
 * allocations find the young generation full and pay for a collection on its
 * critical path. `gc` is exposed only for a moment and only in a throwaway
 * context, so the actor's own flags and globals are as Node made them.
 */
function collectGarbage(): void {
  try {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as (() => void) | undefined
    gc?.()
  } catch {
    // Only an optimisation.
  } finally {
    setFlagsFromString('--no-expose-gc')
  }
}

/** End this process once the actor's channel and stdio have flushed (bounded). */
function exit(code: number): void {
  // Only called by core's runtime, so core is loaded by then.
  if (phase.name === 'booting') process.exit(code)
  else phase.core.exitAfterFlush(code, phase.name === 'handed-out' ? phase.socket : undefined)
}

/**
 * Become the assigned actor: connect to its parent, prove the ticket, let the
 * runtime's channel go live, then take the actor's environment and cwd.
 */
function handOut(core: Core, assignment: AssignMessage): void {
  const { actor, reply, ticket } = assignment
  // Written at once, sent once connected: the ticket first, then the runtime's hello, already encoded.
  const socket = createConnection(reply)
  phase = { name: 'handed-out', core, socket }
  socket.write(encodeMessage({ ticket, pid: process.pid } satisfies TicketMessage))
  channel.attach(core.socketTransport(socket, { maxFrameSize: actor.maxFrameSize }))
  try {
    if (process.cwd() !== actor.cwd) process.chdir(actor.cwd)
  } catch (error) {
    log.error(`actor '${actor.name}' cannot run in ${actor.cwd}:`, (error as Error).message)
    process.exit(1)
  }
  // Once connected, right after the ticket is written (its write was queued first), so that swapping the
  // environment overlaps the ticket's way to the parent instead of delaying it. Still before any of the actor's
  // code runs: that waits for the spawn spec, which the parent sends only once it has the ticket, and nothing is
  // read from the connection before it is connected.
  socket.once('connect', () => {
    replaceProcessEnv(isEnvDelta(actor.env) ? applyEnvDelta(bootEnv, actor.env) : actor.env)
    dropChannel()
  })
}

report({ op: 'hello' })
// Before core and the preload modules load, so that they come from the compile cache.
enableCompileCache()
// Compiled eagerly while idle: a fresh process otherwise compiles each of core's functions on its first call,
// which is on the actor's critical path (decoding the spawn spec, booting, serving the first call).
setFlagsFromString('--no-lazy')
let core: Core
try {
  const [child, backend] = await Promise.all([import('@harrow/core/child'), import('@harrow/core/backend')])
  core = { ...child, socketTransport: backend.socketTransport, importModule: backend.importModule }
  log = backend.createLogger(`forkserver child(${process.pid})`)
  // The application's entry too: actor modules import it, and it is compiled here, while idle.
  await import('@harrow/core')
} finally {
  setFlagsFromString('--lazy')
}
for (const specifier of preload) {
  try {
    // As an actor imports what it enables: a bare specifier is resolved from the working directory too.
    await core.importModule(specifier)
  } catch (error) {
    // Preloading only saves time: an actor that needs the module imports it itself and reports the failure properly.
    log.warn(`preload module ${specifier} failed to import:`, (error as Error)?.message ?? error)
  }
}
// Core's runtime starts now, on a channel without a connection yet: it builds its codec and queues its hello.
// From here on it handles signals as an actor does (Ctrl-C ignored, SIGTERM ends it).
phase = { name: 'idle', core, assignment: phase.assignment }
core.runActor({ transport: channel, exit, handleSignals: true })
process.off('SIGINT', ignoreInterrupt)
if (!phase.assignment) await rehearse(core)
// Read through a call: the phase changes while the rehearsal awaits (an assignment can arrive meanwhile).
const now = (): Phase => phase
// Not once handed out: the actor would pay for it.
if (now().name !== 'handed-out') collectGarbage()
report({ op: 'ready' })
const after = now()
if (after.name === 'idle' && after.assignment) handOut(core, after.assignment)
