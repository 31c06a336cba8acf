/** The error classes harrow throws, and a realm-safe guard for them. */

/** Who an actor is on the wire: enough to name it in an error. */
export interface ActorId {
  /** The actor's name (not unique: several actors may share one). */
  readonly name: string
  /** The actor's unique id. */
  readonly uid: string
  /** The host it runs on, as the backend that reached that host named it (`'ssh'`: the `host` option); absent on the root's host. */
  readonly host?: string
}

/** How messages name an actor: `name`, or `name@host` for an actor on another host. */
export function actorLabel(actor: ActorId): string {
  return actor.host === undefined ? actor.name : `${actor.name}@${actor.host}`
}

const BRAND: unique symbol = Symbol.for('harrow.error') as never

function brand(proto: object, name: string): void {
  Object.defineProperty(proto, 'name', { value: name, writable: true, configurable: true, enumerable: false })
  Object.defineProperty(proto, BRAND, { value: true })
}

/**
 * Root of every error harrow throws. Match with {@link isHarrowError} rather
 * than `instanceof` when the error may come from another copy of core.
 */
export class HarrowError extends Error {}
brand(HarrowError.prototype, 'HarrowError')

/** True for any error thrown by harrow, whichever copy of core made it. */
export function isHarrowError(value: unknown): value is HarrowError | ActorNurseryError {
  return typeof value === 'object' && value !== null && (value as Record<PropertyKey, unknown>)[BRAND] === true
}

/** Fields of a {@link RemoteActorError}. */
export interface RemoteErrorInit {
  /** `name` of the error where it was first thrown. */
  boxedType: string
  /** Its message where it was first thrown. */
  remoteMessage: string
  /** Its stack where it was first thrown (empty when it had none). */
  remoteStack: string
  /** The actor that sent the error to us. */
  actor: ActorId
  /** The actor where the error was first thrown. */
  src: ActorId
  /** Actors the error passed through, from `src` to `actor`. */
  relayPath: ActorId[]
  /** Own enumerable fields of the original error (`code`, `errno`, ...), when they could be sent. */
  fields?: Record<string, unknown>
  /** The next hop's error, when relayed from a grandchild or deeper. */
  cause?: unknown
}

/**
 * A remote task threw. Carries the original error's type, message and stack
 * and the path it took through the tree.
 */
export class RemoteActorError extends HarrowError {
  /** `name` of the error where it was first thrown, however deep (`'TypeError'`, `'ValidationError'`...). */
  declare readonly boxedType: string
  /** The original error's message. */
  declare readonly remoteMessage: string
  /** The original error's stack, as printed where it was thrown. */
  declare readonly remoteStack: string
  /** The actor that sent the error to us (a direct child). */
  declare readonly actor: ActorId
  /** The actor where the error was first thrown. */
  declare readonly src: ActorId
  /** The actors the error passed through, from `src` to `actor`. */
  declare readonly relayPath: readonly ActorId[]
  /** Own enumerable fields of the original error (`code`, `errno`...), when they could be sent. */
  declare readonly fields: Readonly<Record<string, unknown>>

  constructor(init: RemoteErrorInit) {
    const where = init.relayPath.map(actorLabel).join(' → ')
    super(`${init.boxedType}: ${init.remoteMessage} (in actor ${where || actorLabel(init.src)})`, init.cause === undefined ? undefined : { cause: init.cause })
    Object.defineProperties(this, {
      boxedType: { value: init.boxedType, enumerable: true },
      remoteMessage: { value: init.remoteMessage },
      remoteStack: { value: init.remoteStack },
      actor: { value: init.actor, enumerable: true },
      src: { value: init.src, enumerable: true },
      relayPath: { value: Object.freeze([...init.relayPath]), enumerable: true },
      fields: { value: Object.freeze({ ...init.fields }) },
    })
    // The local stack only shows harrow's dispatch code; the remote one is what a reader needs.
    if (init.remoteStack) {
      const frames = init.remoteStack.split('\n').filter((line) => /^\s+at /.test(line))
      this.stack = `${this.name}: ${this.message}\n    --- remote stack in ${actorLabel(init.src)} ---\n${frames.join('\n')}`
    }
  }

  /** Printed by `util.inspect` (so by `console.log` and a crash): the usual error, with `fields` when it has some. */
  [Symbol.for('nodejs.util.inspect.custom')](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    const shown = inspect(this, { ...options, customInspect: false })
    if (Object.keys(this.fields).length === 0 || !shown.endsWith('}')) return shown
    const fields = inspect(this.fields, options).replaceAll('\n', '\n  ')
    return `${shown.slice(0, shown.lastIndexOf('\n'))},\n  fields: ${fields}\n}`
  }
}
brand(RemoteActorError.prototype, 'RemoteActorError')

/** Where a call was made: captured when the call starts, formatted only if it fails. */
export type CallSite = { readonly stack?: string }

/**
 * Capture where a call is made, for {@link addCallSite}: the frames below
 * `entry` (the public method the caller called, so harrow's own frames are
 * left out). Costs one stack capture (formatting waits until the call fails);
 * none when `Error.stackTraceLimit` is 0, which turns call sites off.
 *
 * @internal
 */
export function captureCallSite(entry: (...args: never[]) => unknown): CallSite | undefined {
  if (!(Error.stackTraceLimit > 0)) return undefined
  const site: { stack?: string } = {}
  Error.captureStackTrace(site, entry)
  return site
}

/**
 * A rejection handler for a call's promise: appends the frames of the code
 * awaiting it to a `RemoteActorError`, then rethrows. Run as a reaction of
 * the promise the caller awaits, the capture sees the caller's `async`
 * frames (V8's async stack traces), so a call pays for a stack capture
 * only when it fails; a successful one pays one promise reaction.
 *
 * @internal
 */
export function withCallerFrames(error: unknown): never {
  if (error instanceof RemoteActorError) addCallSite(error, captureCallSite(withCallerFrames))
  throw error
}

/**
 * Append the caller's frames to a `RemoteActorError`'s stack, after a
 * `--- called from ---` line, so a crash log shows the calling code too.
 *
 * @internal
 */
export function addCallSite(error: unknown, site: CallSite | undefined): void {
  if (site === undefined || !(error instanceof RemoteActorError) || typeof error.stack !== 'string') return
  const frames = stackFrames(site)
  if (frames.length > 0) error.stack = `${error.stack}\n    --- called from ---\n${frames.join('\n')}`
}

/**
 * The `at ...` lines of a captured stack, without Node's own frames (the
 * microtask queue a reaction runs in), which say nothing about the caller.
 *
 * @internal
 */
export function stackFrames(site: CallSite): string[] {
  return (site.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line) && !line.includes('(node:internal/'))
}

/** Why and when an actor's process or thread ended. */
export type ActorPhase = 'boot' | 'running'

/** Fields of an {@link ActorFailure}. */
export interface ActorFailureInit {
  actor: ActorId
  exitCode: number | null
  signal: string | null
  phase: ActorPhase
  /** Extra words for the message: what was being waited for. */
  reason?: string
  cause?: unknown
}

/**
 * An actor's process or thread died, or could not start. `exitCode` and
 * `signal` are as the OS (or the worker) reported them.
 */
export class ActorFailure extends HarrowError {
  /** The actor that died or could not start. */
  declare readonly actor: ActorId
  /** Its exit code, or `null` when a signal ended it or it never ran. */
  declare readonly exitCode: number | null
  /** The signal that ended it (`'SIGKILL'`...), if any. */
  declare readonly signal: string | null
  /** Whether it failed while booting (before it served) or while running. */
  declare readonly phase: ActorPhase

  constructor(init: ActorFailureInit) {
    // Node aborts at start when it cannot create its threads: say so, since the child cannot.
    const reason = init.reason ?? (init.phase === 'boot' && init.signal === 'SIGABRT' ? ABORTED_AT_BOOT : undefined)
    const how = init.signal ? `was killed by ${init.signal}` : init.exitCode === null ? 'could not run' : `exited with code ${init.exitCode}`
    const when = init.phase === 'boot' ? ' during boot' : ''
    super(`actor '${init.actor.name}' ${how}${when}${reason ? `: ${reason}` : ''}`, init.cause === undefined ? undefined : { cause: init.cause })
    Object.defineProperties(this, {
      actor: { value: init.actor, enumerable: true },
      exitCode: { value: init.exitCode, enumerable: true },
      signal: { value: init.signal, enumerable: true },
      phase: { value: init.phase, enumerable: true },
    })
  }
}
brand(ActorFailure.prototype, 'ActorFailure')

/** A remote task, a call or a whole actor was cancelled. */
export class ActorCancelledError extends HarrowError {
  /** The actor whose task (or which) was cancelled. Every error harrow makes sets it; the type allows `undefined` for ones rebuilt from the wire. */
  declare readonly actor: ActorId | undefined

  constructor(message: string, options?: { actor?: ActorId; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    Object.defineProperty(this, 'actor', { value: options?.actor, enumerable: true })
  }
}
brand(ActorCancelledError.prototype, 'ActorCancelledError')

/** A spawn method is unknown, not installed, or not supported on this runtime. */
export class SpawnMethodUnavailableError extends HarrowError {
  /** The spawn method key that was asked for. */
  declare readonly key: string
  /** Why it is unavailable, and how to fix it. */
  declare readonly reason: string

  constructor(key: string, reason: string, options?: { cause?: unknown }) {
    super(`spawn method '${key}' is unavailable: ${reason}`, options?.cause === undefined ? undefined : { cause: options.cause })
    Object.defineProperties(this, {
      key: { value: key, enumerable: true },
      reason: { value: reason, enumerable: true },
    })
  }
}
brand(SpawnMethodUnavailableError.prototype, 'SpawnMethodUnavailableError')

/** Several children of one nursery failed; `errors` holds each, once. */
export class ActorNurseryError extends AggregateError {}
brand(ActorNurseryError.prototype, 'ActorNurseryError')

/** What was wrong with the bytes or the order of messages on a channel. */
export type ProtocolViolation = 'malformed' | 'oversized' | 'out-of-order' | 'version'

/**
 * A peer sent a malformed or oversized frame, or a message out of order. The
 * channel is closed and its actor reaped.
 */
export class ProtocolError extends HarrowError {
  /** What was wrong: a malformed or oversized frame, a message out of order, another protocol version. */
  declare readonly violation: ProtocolViolation
  /** The actor whose channel broke, once known. */
  declare actor: ActorId | undefined

  constructor(violation: ProtocolViolation, message: string, options?: { actor?: ActorId; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    Object.defineProperties(this, {
      violation: { value: violation, enumerable: true },
      actor: { value: options?.actor, enumerable: true, writable: true },
    })
  }
}
brand(ProtocolError.prototype, 'ProtocolError')

/** The peer went away while a call, stream or context was still open. */
export class ChannelClosedError extends HarrowError {
  /** The actor whose channel closed, when known. */
  declare readonly actor: ActorId | undefined

  constructor(message: string, options?: { actor?: ActorId; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    Object.defineProperty(this, 'actor', { value: options?.actor, enumerable: true })
  }
}
brand(ChannelClosedError.prototype, 'ChannelClosedError')

/** A call named a module that the actor was not started with in `enableModules`. */
export class ModuleNotEnabledError extends HarrowError {
  /** The module the call named. */
  declare readonly module: string

  constructor(module: string) {
    super(`module '${module}' is not enabled in this actor: add it to enableModules when starting the actor`)
    Object.defineProperty(this, 'module', { value: module, enumerable: true })
  }
}
brand(ModuleNotEnabledError.prototype, 'ModuleNotEnabledError')

/** A pool's queue held `maxQueue` calls when another arrived (with `whenFull: 'reject'`, the default). */
export class PoolQueueFullError extends HarrowError {
  /** The pool's name. */
  declare readonly pool: string
  /** The bound the queue reached. */
  declare readonly maxQueue: number

  constructor(pool: string, maxQueue: number) {
    super(`pool '${pool}' is full: ${maxQueue} calls are already queued (raise maxQueue, or pass whenFull: 'wait')`)
    Object.defineProperties(this, {
      pool: { value: pool, enumerable: true },
      maxQueue: { value: maxQueue, enumerable: true },
    })
  }
}
brand(PoolQueueFullError.prototype, 'PoolQueueFullError')

/** A pool's members crashed more often than its restart limit allows; `cause` is the last member's failure. */
export class ActorPoolError extends HarrowError {
  /** The pool's name. */
  declare readonly pool: string
  /** Restarts counted within the restart window when the pool gave up. */
  declare readonly restarts: number

  constructor(pool: string, restarts: number, options?: { cause?: unknown }) {
    super(
      `pool '${pool}' failed: its members crashed ${restarts} times within the restart window`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    )
    Object.defineProperties(this, {
      pool: { value: pool, enumerable: true },
      restarts: { value: restarts, enumerable: true },
    })
  }
}
brand(ActorPoolError.prototype, 'ActorPoolError')

/** The classes that may be rebuilt by name when an error crosses the wire as a value. */
export const HARROW_ERROR_CLASSES: Readonly<Record<string, new (...args: never[]) => Error>> = {
  HarrowError,
  RemoteActorError,
  ActorFailure,
  ActorCancelledError,
  SpawnMethodUnavailableError,
  ActorNurseryError,
  ProtocolError,
  ChannelClosedError,
  ModuleNotEnabledError,
  PoolQueueFullError,
  ActorPoolError,
}

const ABORTED_AT_BOOT =
  'Node aborts while starting when it cannot create its threads or allocate memory: check `ulimit -u` (processes and threads) and free memory'

const SYSTEM_HINTS: Readonly<Record<string, string>> = {
  EMFILE: 'this process has too many open files; raise `ulimit -n` or start fewer actors at once',
  ENFILE: 'the system file table is full',
  EAGAIN: 'the system cannot start another process or thread now; see `ulimit -u` and free memory',
  ENOMEM: 'the system is out of memory',
  ENOENT: 'the executable or the working directory does not exist',
  EACCES: 'permission denied for the executable or the working directory',
}

/** A system error's message with what its code means, when it is one harrow knows: for `ActorFailure` reasons. */
export function describeSystemError(error: Error): string {
  // Some errors carry the errno only in their message (a Worker that could not start: "EAGAIN").
  const code = (error as NodeJS.ErrnoException).code ?? /\b(E[A-Z]{3,})\b/.exec(error.message)?.[1]
  const hint = code === undefined ? undefined : SYSTEM_HINTS[code]
  return hint ? `${error.message}: ${hint}` : error.message
}
