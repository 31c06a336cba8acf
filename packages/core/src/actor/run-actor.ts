/**
 * The actor runtime inside a child: handshake, spawn spec, enabled modules,
 * serving, and leaving cleanly when cancelled, orphaned or signalled.
 * Backends start it from their child entry with {@link runActor}.
 */

import { within } from '../shared/async.js'
import { importModule } from '../shared/import-module.js'
import type { Transport } from '../shared/contracts.js'
import { boxError } from '../wire/box.js'
import { Channel } from '../wire/channel.js'
import { ProtocolError } from '../shared/errors.js'
import { debug, setLogLabel } from '../shared/log.js'
import { Op, PROTOCOL_VERSION, asParentMessage, type ActorIdentity, type ChildMessage, type ParentMessage, type SpawnSpec } from '../wire/protocol.js'
import { addSpawnMethodHint, setDefaultStartMethod } from '../shared/registry.js'
import { hostLabel, runtime, type ActorInfo } from '../shared/realm.js'
import { ActorServer } from './serve.js'

/** How long an orphaned actor gives its own children before killing them, in ms: the whole tree must be gone within 2 s. */
export const ORPHAN_TERMINATE_AFTER = 1000

/** How long a crashing actor (an uncaught error) gives its tasks and children, in ms: it is failing anyway. */
const CRASH_TERMINATE_AFTER = 250

/** What a backend's child entry provides to {@link runActor}. */
export interface ActorHost {
  /** The channel to the parent. */
  readonly transport: Transport
  /**
   * End this actor with `code`: flush what is pending on the transport and
   * stdio, then exit the process (or thread).
   */
  exit(code: number): void
  /** The worker thread id, when the actor is a thread. @default 0 (a process's main thread) */
  readonly threadId?: number
  /**
   * Whether the actor is a process of its own that receives signals: Ctrl-C
   * is then left to the parent's cascade, and SIGTERM tears the actor's
   * subtree down at once. @default false
   */
  readonly handleSignals?: boolean
}

type Phase = 'spec' | 'booting' | 'serving' | 'leaving'

/**
 * Run the actor runtime on `host`: say hello, wait for the spawn spec, import
 * the enabled modules and serve, until the actor is cancelled, orphaned or
 * signalled; then `host.exit()` is called.
 */
export function runActor(host: ActorHost): void {
  const state = runtime()
  const threadId = host.threadId ?? 0
  state.transport = host.transport
  let phase: Phase = 'spec'
  let self: ActorIdentity | undefined
  let server: ActorServer | undefined

  const leave = async (code: number, reason: string, terminateAfter: number): Promise<void> => {
    if (phase === 'leaving') return
    phase = 'leaving'
    debug(`leaving (${reason})`)
    const work = Promise.all([server?.cancelAll(), ...[...state.nurseries].map((n) => n.cancel({ terminateAfter }))])
    // Bounded: tasks that ignore their signal must not keep the actor alive.
    await within(work, terminateAfter + 500)
    if (code === 0 && !channel.closed) channel.send([Op.CancelAck])
    channel.close()
    host.exit(code)
  }

  const boot = async (spec: SpawnSpec): Promise<void> => {
    const pid = process.pid
    const onHost = hostLabel()
    self = { ...spec.actor, pid, ...(threadId === 0 ? {} : { threadId }), ...(onHost === undefined ? {} : { host: onHost }) }
    state.self = self
    state.parent = spec.parent
    state.terminateAfter = spec.terminateAfter
    setDefaultStartMethod(spec.actor.spawnMethod)
    for (const [key, entry] of Object.entries(spec.backends)) addSpawnMethodHint(key, entry)
    for (const [key, value] of Object.entries(spec.tree ?? {})) state.treeValues.set(key, value)
    setLogLabel(`${spec.actor.name}(${threadId === 0 ? pid : `thread ${threadId}`})`)
    const modules = new Map<string, Record<string, unknown>>()
    try {
      for (const specifier of spec.enableModules) modules.set(specifier, await importModule(specifier))
    } catch (error) {
      channel.send([Op.Error, 0, boxError(error, self)])
      phase = 'leaving'
      channel.close()
      host.exit(1)
      return
    }
    if (phase !== 'booting') return
    const info: ActorInfo = {
      name: self.name,
      uid: self.uid,
      spawnMethod: self.spawnMethod,
      pid,
      ...(threadId === 0 ? {} : { threadId }),
      ...(onHost === undefined ? {} : { host: onHost }),
    }
    server = new ActorServer(channel, self, info, modules, spec.maxFrameSize)
    phase = 'serving'
    channel.send([Op.Ready])
  }

  const channel = new Channel<ParentMessage, ChildMessage>(host.transport, asParentMessage, {
    message: (message, bytes) => {
      switch (phase) {
        case 'spec':
          if (message[0] !== Op.Spec) throw new ProtocolError('out-of-order', `expected the spawn spec first, got opcode ${message[0]}`)
          phase = 'booting'
          void boot(message[1])
          return
        case 'booting':
          if (message[0] === Op.CancelActor) return void leave(0, 'cancelled while booting', state.terminateAfter ?? ORPHAN_TERMINATE_AFTER)
          throw new ProtocolError('out-of-order', `opcode ${message[0]} before the actor was ready`)
        case 'serving':
          if (message[0] === Op.CancelActor) return void leave(0, 'cancelled by the parent', state.terminateAfter ?? ORPHAN_TERMINATE_AFTER)
          server?.handle(message, bytes)
          return
        case 'leaving':
          return
      }
    },
    closed: (error) => {
      if (phase === 'leaving') return
      // The parent went away (or broke the protocol): nobody is left to cancel this subtree but us.
      void leave(error instanceof ProtocolError ? 1 : 0, error ? `channel failed: ${error.message}` : 'parent gone', ORPHAN_TERMINATE_AFTER)
    },
  })

  const onUncaught = (error: unknown): void => {
    if (phase === 'leaving') return
    if (self) channel.send([Op.Error, 0, boxError(error, self)])
    void leave(1, `uncaught: ${(error as Error)?.message ?? String(error)}`, CRASH_TERMINATE_AFTER)
  }
  process.on('uncaughtException', onUncaught)

  if (host.handleSignals) {
    // Ctrl-C reaches the whole process group; the root's cancel cascade tears the tree down in order.
    process.on('SIGINT', () => debug('SIGINT ignored: the parent cancels this actor'))
    process.on('SIGTERM', () => void leave(143, 'SIGTERM', 0))
  }

  channel.send([Op.Hello, PROTOCOL_VERSION, process.pid, threadId])
}
