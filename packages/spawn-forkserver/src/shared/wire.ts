/**
 * The forkserver's own small protocol: length-prefixed JSON messages on the
 * control channels between the forkserver and the members of its tree, the
 * messages it exchanges with its children over Node's IPC channel, and the
 * first message a handed-out child sends its parent. Actor traffic never
 * passes through the forkserver: it is core's protocol, on a connection the
 * child makes straight to the parent that asked for it.
 */

/** Bytes of the big-endian length prefix before each message. */
const HEADER_BYTES = 4

/**
 * The largest message accepted before the sender has authenticated, in bytes.
 * A first message is a short hello or ticket.
 */
export const MAX_FIRST_MESSAGE_BYTES = 64 * 1024

/** The largest message on an authenticated control channel: a spawn request carries the actor's whole environment. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024

/** What a pool is booted with. Sent by the root; the environment is the forkserver's own. */
export interface PoolConfig {
  readonly poolSize: number
  /** Module specifiers every warm child imports after core. */
  readonly preload: readonly string[]
  /** Node flags warm children are started with. */
  readonly execArgv: readonly string[]
}

/** An environment given as its differences from the pool's (the forkserver's own, which its root gave it). */
export interface EnvDelta {
  readonly set: Readonly<Record<string, string>>
  readonly unset: readonly string[]
}

/** What one actor needs from the child that will run it. */
export interface ActorRequest {
  readonly name: string
  readonly execArgv: readonly string[]
  /** The executable the actor asked for (`ActorOptions.execPath`); absent: the forkserver's own runtime. */
  readonly execPath?: string
  /**
   * The actor's whole environment (the parent's plus `ActorOptions.env`),
   * or, from the root, its differences from the pool's: most of it is the
   * same, and it is on every spawn's critical path.
   */
  readonly env: Readonly<Record<string, string>> | EnvDelta
  /** The actor's working directory: `ActorOptions.cwd`, else the requesting parent's. */
  readonly cwd: string
  readonly maxFrameSize: number
}

/** root → forkserver, first message on the private control channel (fd 3). */
export interface InitMessage {
  readonly op: 'init'
  /** The tree's secret, base64. */
  readonly secret: string
  readonly config: PoolConfig
}

/** root → forkserver: a new pool configuration. */
export interface ConfigureMessage {
  readonly op: 'configure'
  readonly config: PoolConfig
}

/** root → forkserver: end every child, remove the socket directory, exit. */
export interface StopMessage {
  readonly op: 'stop'
}

/** A descendant's first message on its connection to the forkserver, which becomes its control channel. */
export interface ControlHelloMessage {
  readonly op: 'control'
  readonly secret: string
}

/**
 * owner → forkserver: start actor `id`. The child that runs it connects to
 * `reply` (the owner's socket, inside the forkserver's private directory)
 * and proves `ticket` in its first message.
 */
export interface SpawnMessage {
  readonly op: 'spawn'
  /** Names this spawn in the owner's exit reports and signals. */
  readonly id: string
  /** A one-time secret for this spawn, base64. */
  readonly ticket: string
  /** Where the owner listens for its actors. */
  readonly reply: string
  readonly actor: ActorRequest
}

/** owner → forkserver: send `signal` to the actor `id` (a no-op once it exited). */
export interface SignalMessage {
  readonly op: 'signal'
  readonly id: string
  readonly signal: 'SIGTERM' | 'SIGKILL'
}

/** What clients send on a control channel. */
/** client → forkserver: the socket file this client is about to listen on, so the forkserver can remove it if the client is killed. */
export interface ReplyMessage {
  readonly op: 'reply'
  readonly reply: string
}

export type ClientMessage = InitMessage | ConfigureMessage | StopMessage | ControlHelloMessage | SpawnMessage | SignalMessage | ReplyMessage

/** forkserver → root: it listens at `address`. */
export interface ListeningMessage {
  readonly op: 'listening'
  readonly address: string
}

/** forkserver → descendant: its control channel is accepted. */
export interface WelcomeMessage {
  readonly op: 'welcome'
  /** The forkserver's pid. */
  readonly pid: number
}

/** forkserver → root: the children it keeps idle (booting or ready), so leak checks can tell them from actors. */
export interface PoolMessage {
  readonly op: 'pool'
  readonly ready: readonly number[]
  readonly booting: readonly number[]
}

/** forkserver → owner: the actor `id` exited and was reaped. */
export interface ExitMessage {
  readonly op: 'exit'
  readonly id: string
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** Why the forkserver ended it, when it did so itself (its runtime never started, say). */
  readonly reason?: string
}

/** forkserver → owner: no process could be started for the actor `id`. */
export interface FailedMessage {
  readonly op: 'failed'
  readonly id: string
  readonly message: string
  readonly code?: string
}

/** forkserver → root: it cannot start (its socket directory is unsafe, it cannot listen, ...) and exits. */
export interface FatalMessage {
  readonly op: 'fatal'
  readonly message: string
}

/** What the forkserver sends on a control channel. */
export type ServerMessage = ListeningMessage | WelcomeMessage | PoolMessage | ExitMessage | FailedMessage | FatalMessage

/** forkserver → child, over Node IPC: become actor `actor`, connecting to `reply` with `ticket`. */
export interface AssignMessage {
  readonly op: 'assign'
  readonly actor: ActorRequest
  readonly reply: string
  readonly ticket: string
}

/**
 * forkserver → child, over Node IPC, once while it boots: the socket file it
 * may briefly listen on to rehearse its hand-out (in the forkserver's private
 * directory, named by the forkserver, which removes it when it reaps the child).
 */
export interface WarmUpMessage {
  readonly op: 'warm-up'
  readonly path: string
}

/** child → forkserver, over Node IPC. */
export type ChildReport =
  /** Listening for an assignment (sent before anything is imported). */
  | { readonly op: 'hello' }
  /** Core and the preload modules are imported, and core's runtime waits for its connection. */
  | { readonly op: 'ready' }

/** child → parent, the first message on its connection: who it is, and the proof that the forkserver sent it. */
export interface TicketMessage {
  readonly ticket: string
  readonly pid: number
}

/** Frame one message. */
export function encodeMessage(message: object): Buffer {
  const body = JSON.stringify(message)
  const length = Buffer.byteLength(body)
  const frame = Buffer.allocUnsafe(HEADER_BYTES + length)
  frame.writeUInt32BE(length, 0)
  frame.write(body, HEADER_BYTES)
  return frame
}

/** A malformed or oversized message: the connection that sent it is closed. */
export class WireError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'WireError'
  }
}

/**
 * Splits a byte stream into JSON messages. Bounded: a length prefix above the
 * limit is a {@link WireError} before anything is buffered for it.
 */
export class MessageReader {
  #maxBytes: number
  #buffer: Buffer = Buffer.alloc(0)

  constructor(maxBytes: number = MAX_MESSAGE_BYTES) {
    this.#maxBytes = maxBytes
  }

  /** Raise or lower the limit, as a connection authenticates. */
  set maxBytes(value: number) {
    this.#maxBytes = value
  }

  /**
   * Feed a chunk; returns every whole message it completes, in order, up to
   * `limit` of them (what follows stays for {@link takeRest}: on a channel
   * that changes hands after its first message, the rest is not JSON).
   *
   * @throws WireError on an oversized length prefix or a body that is not a JSON object.
   */
  push(chunk: Buffer, limit = Number.POSITIVE_INFINITY): unknown[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    const messages: unknown[] = []
    while (messages.length < limit && this.#buffer.length >= HEADER_BYTES) {
      const length = this.#buffer.readUInt32BE(0)
      if (length > this.#maxBytes) throw new WireError(`a message of ${length} bytes exceeds the maximum of ${this.#maxBytes}`)
      if (this.#buffer.length < HEADER_BYTES + length) break
      const body = this.#buffer.subarray(HEADER_BYTES, HEADER_BYTES + length)
      this.#buffer = this.#buffer.subarray(HEADER_BYTES + length)
      let message: unknown
      try {
        message = JSON.parse(body.toString('utf8'))
      } catch {
        throw new WireError('a message is not valid JSON')
      }
      if (typeof message !== 'object' || message === null || Array.isArray(message)) throw new WireError('a message is not a JSON object')
      messages.push(message)
    }
    return messages
  }

  /** Take the bytes held after the last whole message (the start of what follows on the stream). */
  takeRest(): Buffer {
    const rest = this.#buffer
    this.#buffer = Buffer.alloc(0)
    return rest
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}

function isStringRecord(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  for (const key in value) if (typeof (value as Record<string, unknown>)[key] !== 'string') return false
  return true
}

/** True when `value` is a well-formed {@link EnvDelta}. */
export function isEnvDelta(value: unknown): value is EnvDelta {
  const d = value as Partial<EnvDelta> | null
  return typeof d === 'object' && d !== null && isStringRecord(d.set) && isStringArray(d.unset) && Object.keys(d).length === 2
}

/** True when `value` is a well-formed {@link ActorRequest}. */
export function isActorRequest(value: unknown): value is ActorRequest {
  const r = value as Partial<ActorRequest> | null
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.name === 'string' &&
    isStringArray(r.execArgv) &&
    (r.execPath === undefined || typeof r.execPath === 'string') &&
    (isStringRecord(r.env) || isEnvDelta(r.env)) &&
    typeof r.cwd === 'string' &&
    typeof r.maxFrameSize === 'number' &&
    Number.isInteger(r.maxFrameSize) &&
    r.maxFrameSize > 0
  )
}

/** True when `value` is a well-formed {@link PoolConfig}. */
export function isPoolConfig(value: unknown): value is PoolConfig {
  const c = value as Partial<PoolConfig> | null
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.poolSize === 'number' &&
    Number.isInteger(c.poolSize) &&
    c.poolSize >= 0 &&
    isStringArray(c.preload) &&
    isStringArray(c.execArgv)
  )
}
