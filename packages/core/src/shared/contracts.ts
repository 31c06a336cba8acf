/** The contracts between core and a spawn backend: what a backend hands core for one child. */

/** How a child process or thread ended. */
export interface ExitInfo {
  /** Exit code, or `null` when killed by a signal or when it never ran. */
  readonly code: number | null
  /** The signal that ended it, if any. */
  readonly signal: NodeJS.Signals | null
  /** Why it could not run (`ENOENT`, `EAGAIN`, ...), or why its backend ended it (a runtime that never started, say). */
  readonly error?: Error
}

/**
 * One child, as a backend hands it to core. Core owns its lifecycle from then
 * on: it calls `terminate()` and `kill()`, and it awaits `wait()`.
 */
export interface ProcHandle {
  /** OS process id, when the child is a process. */
  readonly pid?: number | undefined
  /** Worker thread id, when the child is a thread. */
  readonly threadId?: number | undefined
  /** How the child ended, once it has; `undefined` while it runs. */
  readonly exit: ExitInfo | undefined
  /** Resolves once the child has ended and been reaped. Never rejects. */
  wait(): Promise<ExitInfo>
  /** Ask the child to stop (SIGTERM, `worker.terminate()`). Safe to call after exit. */
  terminate(): void
  /** Stop the child now (SIGKILL). Safe to call after exit. */
  kill(): void
}

/** Where a {@link Transport} delivers what it receives. */
export interface TransportSink {
  /** One whole frame, as the peer sent it. */
  frame(data: Uint8Array): void
  /** The transport closed: `error` says why, when it was not an orderly end. */
  close(error?: Error): void
}

/**
 * A bidirectional, ordered, reliable carrier of frames (byte strings) between
 * a parent and one child. Framing, batching and flow control below the frame
 * level are the transport's business; the protocol is core's.
 */
export interface Transport {
  /** Queue one frame for the peer. Frames sent after `close()` are dropped. */
  send(frame: Uint8Array): void
  /** Start delivering frames to `sink`. Called once. */
  start(sink: TransportSink): void
  /** Flush what is queued, then close. Idempotent. */
  close(): void
}

/** Backend-specific actor options. Backend packages augment this interface with their own fields. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- an augmentation point
export interface BackendOptions {}

/** What core asks a backend to start. */
export interface SpawnRequest {
  /** The actor's name, as given to `startActor`. */
  readonly name: string
  /** The actor's unique id. */
  readonly uid: string
  /** The spawn method key the actor is started with (this backend's). */
  readonly spawnMethod: string
  /** Node flags for the child (the parent's `process.execArgv` unless the caller chose others). */
  readonly execArgv: readonly string[]
  /**
   * The executable of a process-backed child, when the caller chose one
   * (`ActorOptions.execPath`); `undefined` means the parent's own runtime
   * (`process.execPath`). A backend that cannot honour it rejects the spawn
   * with a `TypeError`.
   */
  readonly execPath?: string | undefined
  /** The child's environment. */
  readonly env: Readonly<Record<string, string | undefined>>
  /** The child's working directory, when it differs from the parent's. */
  readonly cwd: string | undefined
  /** Backend-specific options from `ActorOptions.backend`. */
  readonly options: BackendOptions
  /** The largest frame the child's transport may accept; the backend passes it to the child. */
  readonly maxFrameSize: number
}

/** A started child: its handle and the transport to its runtime. */
export interface SpawnedChild {
  /** The child's handle: its exit, and how to stop it. */
  readonly proc: ProcHandle
  /** The channel to the child's actor runtime. */
  readonly transport: Transport
  /**
   * The host the child runs on, as its actor names it (`currentActor().host`),
   * when a backend starts it on another host. Local children run where their
   * environment's `HARROW_HOST` says.
   */
  readonly host?: string
  /**
   * Stop the child's process, thread, pipes and sockets from keeping this
   * process's event loop alive (Node's `unref()` on each). Core calls it once,
   * right after the spawn, and from then on keeps the loop alive itself while
   * the actor has work in flight, so a root that ends with a nursery still
   * open is told so instead of hanging. Without it the child holds the loop
   * for as long as it runs.
   */
  unref?(): void
}

/**
 * A spawn backend: starts one child running core's actor runtime (see
 * `runActor`) and hands back its handle and transport. Everything after that
 * (handshake, spawn spec, join, soft kill, hard reap) is core's.
 */
export interface SpawnBackend {
  /** The spawn method key this backend serves. */
  readonly key: string
  /**
   * Start one child. May reject when the child cannot be started at all; a
   * child that starts and then dies is reported through `proc.wait()`.
   */
  spawn(request: SpawnRequest): Promise<SpawnedChild>
  /**
   * Processes the backend keeps running between spawns that are not actors
   * (a forkserver and its idle warm children), so leak checks can tell them
   * from leaked actors.
   */
  infrastructurePids?(): number[]
  /**
   * Socket files the backend keeps between spawns (a forkserver's address,
   * this process's listener), so leak checks can tell them from leftovers.
   */
  infrastructurePaths?(): string[]
  /**
   * Stop what the backend keeps running between spawns (a forkserver). Test
   * harnesses call it when a test file ends; the next spawn starts it again.
   */
  shutdown?(): Promise<void>
}

/** The result of a backend's cheap support probe. */
export type ProbeResult =
  | {
      /** This runtime can run the backend. */
      readonly supported: true
    }
  | {
      /** This runtime cannot run the backend. */
      readonly supported: false
      /** Why not, and how to fix it. */
      readonly reason: string
    }

/** What a backend package registers for its key. */
export interface SpawnMethodRegistration {
  /** The npm package that provides the backend. */
  readonly packageName: string
  /** Cheap check that this runtime can run the backend. Must not load the backend. */
  probe(): ProbeResult
  /** Load the backend itself. Called at most once per process. */
  load(): Promise<SpawnBackend>
  /**
   * URL of the module that performs this registration. Actors import it when
   * they spawn with this key themselves, so trees of any depth and mixed
   * backends work without the actor's code knowing about backends.
   */
  readonly entry?: string
  /** The package's version, for listings. */
  readonly version?: string
}
