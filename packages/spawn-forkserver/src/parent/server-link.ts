/**
 * A member of the tree's side of the forkserver: its control channel (the
 * root's fd 3, or an authenticated connection for any other member), which
 * asks for actors and brings their exits. The socket the actors connect to is
 * a {@link ReplyListener}; the actors it owns are {@link OwnedActors}.
 */

import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import type { Socket } from 'node:net'
import { dirname, join } from 'node:path'
import { closedTransport, deferred, socketTransport, type SpawnRequest, type SpawnedChild, type Transport } from '@harrow/core/backend'
import { definedEnv } from '@harrow/core/env'
import { envDelta } from '../shared/env.js'
import { ForkserverError } from '../shared/errors.js'
import { MessageReader, encodeMessage, type ClientMessage, type ServerMessage } from '../shared/wire.js'
import { OwnedActors } from './owned-actors.js'
import type { SignalRoute } from './proc-handle.js'
import { ReplyListener } from './reply-listener.js'

/**
 * How long a requested actor may take to connect, in ms. A warm child
 * connects at once; a child booted on demand under a burst takes longer.
 */
const CONNECT_TIMEOUT = 30_000

/** How long a broken control channel waits for the forkserver's exit, to report it, in ms. */
const EXIT_REPORT_GRACE = 1000

/** What a forkserver killed by SIGABRT most likely met: it is a Node process that could not create its threads. */
const ABORTED = 'Node aborts when it cannot create its threads or allocate memory: check `ulimit -u` (processes and threads) and free memory'

/** The forkserver's idle children, as it last reported them. */
export interface PoolSnapshot {
  readonly ready: readonly number[]
  readonly booting: readonly number[]
}

/** Options of a {@link ServerLink}. */
export interface ServerLinkOptions {
  /** The forkserver's address, when known before it says so (a descendant's link). */
  readonly address?: string
  /** The forkserver process, when this process started it. */
  readonly server?: ChildProcess
  /** The environment the forkserver was started with (the pool's), when this process started it. */
  readonly poolEnv?: Readonly<Record<string, string | undefined>>
}

/**
 * One process's connection to the forkserver. It is ready once the
 * forkserver accepted it ('listening' for the root, 'welcome' for a
 * descendant) and its own socket listens; then it asks for actors, takes
 * their connections, and routes exit reports to their handles.
 */
export class ServerLink implements SignalRoute {
  /** The forkserver process, when this process started it. */
  readonly server: ChildProcess | undefined
  readonly #control: Socket
  readonly #actors = new OwnedActors()
  readonly #ready = deferred<void>()
  readonly #closed = deferred<Error>()
  #address: string | undefined
  #pid: number | undefined
  #pool: PoolSnapshot = { ready: [], booting: [] }
  #closeReason: Error | undefined
  #replies: ReplyListener | undefined
  readonly #poolEnv: Readonly<Record<string, string | undefined>> | undefined

  constructor(control: Socket, options: ServerLinkOptions = {}) {
    this.#control = control
    this.server = options.server
    this.#address = options.address
    this.#pid = options.server?.pid
    this.#poolEnv = options.poolEnv
    this.#ready.promise.catch(() => {})
    const reader = new MessageReader(Number.MAX_SAFE_INTEGER)
    control.on('data', (chunk: Buffer) => {
      try {
        for (const message of reader.push(chunk)) this.#dispatch(message as ServerMessage)
      } catch (error) {
        this.close(new ForkserverError(`the forkserver broke its protocol: ${(error as Error).message}`))
      }
    })
    const server = options.server
    // When the channel breaks because the forkserver died, its exit says more than the socket's error: wait for it (bounded).
    const lost = (reason: ForkserverError): void => {
      if (!server || server.exitCode !== null || server.signalCode !== null) return this.close(reason)
      const timer = setTimeout(() => this.close(reason), EXIT_REPORT_GRACE)
      server.once('exit', () => clearTimeout(timer))
    }
    control.on('error', (error) => lost(new ForkserverError(`the connection to the forkserver failed: ${error.message}`, { cause: error })))
    control.on('close', () => lost(new ForkserverError('the forkserver exited')))
    server?.once('exit', (code, signal) =>
      this.close(
        new ForkserverError(`the forkserver exited (${signal ? `killed by ${signal}` : `code ${String(code)}`})${signal === 'SIGABRT' ? `: ${ABORTED}` : ''}`),
      ),
    )
  }

  /** Resolves once the forkserver accepted this process and its socket listens; rejects when the forkserver went away first. */
  get ready(): Promise<void> {
    return this.#ready.promise
  }

  /** Resolves, with why, once the control channel has closed. */
  get closed(): Promise<Error> {
    return this.#closed.promise
  }

  /** Whether the control channel has closed: this link asks for no more actors. */
  get isClosed(): boolean {
    return this.#closeReason !== undefined
  }

  /** The socket this process listens on for its actors, once it listens. */
  get replyPath(): string | undefined {
    return this.#replies?.path
  }

  /**
   * The forkserver's socket.
   *
   * @throws ForkserverError before the forkserver has said where it listens.
   */
  get address(): string {
    if (this.#address === undefined) throw new ForkserverError('the forkserver has not said where it listens yet')
    return this.#address
  }

  /** The forkserver's pid. */
  get pid(): number | undefined {
    return this.#pid
  }

  /** The forkserver's idle children, as last reported (only to the process that started it). */
  get pool(): PoolSnapshot {
    return this.#pool
  }

  /** Send a control message; `false` once the channel has closed. */
  send(message: ClientMessage): boolean {
    if (this.#closeReason || this.#control.destroyed || !this.#control.writable) return false
    this.#control.write(encodeMessage(message))
    return true
  }

  /** @internal {@link SignalRoute} for the handles. */
  signal(id: string, signal: 'SIGTERM' | 'SIGKILL'): boolean {
    return this.send({ op: 'signal', id, signal })
  }

  /** Stop holding this process open for the control channel, its socket, and the forkserver process. */
  unref(): void {
    this.#control.unref()
    this.#replies?.unref()
    this.server?.unref()
  }

  /**
   * Ask the forkserver for one actor. Resolves once the actor's process has
   * connected to this process (or none could be started, reported through
   * the handle's exit like a failed spawn).
   *
   * @throws ForkserverError when the forkserver cannot be reached, or no child connects in time.
   */
  async spawn(request: SpawnRequest): Promise<SpawnedChild> {
    if (this.#closeReason) throw this.#closeReason
    const reply = this.#replies?.path
    if (reply === undefined) throw new ForkserverError('this process does not listen for its actors yet')
    const { handle, ticket } = this.#actors.open(this)
    const id = handle.id
    this.send({
      op: 'spawn',
      id,
      ticket,
      reply,
      actor: {
        name: request.name,
        execArgv: [...request.execArgv],
        ...(request.execPath === undefined ? {} : { execPath: request.execPath }),
        env: this.#poolEnv ? envDelta(this.#poolEnv, request.env) : definedEnv(request.env),
        cwd: request.cwd ?? process.cwd(),
        maxFrameSize: request.maxFrameSize,
      },
    })
    const timeout = setTimeout(() => {
      // Whatever the forkserver started for it must not linger.
      this.signal(id, 'SIGKILL')
      handle.unreachable(new ForkserverError(`no process connected for actor '${request.name}' within ${CONNECT_TIMEOUT} ms`))
    }, CONNECT_TIMEOUT)
    try {
      await handle.started
    } finally {
      clearTimeout(timeout)
    }
    const socket = handle.socket
    return {
      proc: handle,
      transport: socket ? resumingTransport(socket, request.maxFrameSize) : closedTransport(),
      // The handle hears of the exit over the control channel, which is unreferenced already.
      unref: () => socket?.unref(),
    }
  }

  /** Close the control channel and this process's socket; every handle still waiting settles. Idempotent. */
  close(reason: Error = new ForkserverError('the connection to the forkserver was closed')): void {
    if (this.#closeReason) return
    this.#closeReason = reason
    this.#control.destroy()
    this.#replies?.close()
    this.#ready.reject(reason)
    this.#actors.unreachable(reason)
    this.#closed.resolve(reason)
  }

  #dispatch(message: ServerMessage): void {
    switch (message.op) {
      case 'listening':
        this.#address = message.address
        this.#listen()
        return
      case 'welcome':
        this.#pid = message.pid
        this.#listen()
        return
      case 'pool':
        this.#pool = { ready: message.ready, booting: message.booting }
        return
      case 'exit':
        this.#actors.get(message.id)?.exited(message.code, message.signal, message.reason)
        return
      case 'failed':
        this.#actors.get(message.id)?.failed(Object.assign(new Error(message.message), message.code === undefined ? {} : { code: message.code }))
        return
      case 'fatal':
        this.close(new ForkserverError(`the forkserver ${message.message}`))
        return
    }
  }

  /**
   * Listen for this process's actors, in the forkserver's private directory
   * (mode 0700: only this user can connect, and the forkserver removes it all
   * when it stops).
   */
  #listen(): void {
    const path = join(dirname(this.address), `${process.pid}-${randomBytes(4).toString('hex')}.sock`)
    // Announced before the file exists: if this process is killed, the forkserver removes it.
    this.send({ op: 'reply', reply: path })
    const replies = new ReplyListener(path, (ticket) => this.#actors.claim(ticket))
    this.#replies = replies
    replies.listen().then(
      () => this.#ready.resolve(),
      (error: Error) => this.close(new ForkserverError(`cannot listen for actors at ${path}: ${error.message}`, { cause: error })),
    )
  }
}

/**
 * Core's socket transport on a connection that was paused after its ticket:
 * it flows again once core starts reading (a stream paused explicitly does
 * not resume when a 'data' listener is added).
 */
function resumingTransport(socket: Socket, maxFrameSize: number): Transport {
  const transport = socketTransport(socket, { maxFrameSize })
  return {
    send: (frame) => transport.send(frame),
    close: () => transport.close(),
    start(sink) {
      transport.start(sink)
      socket.resume()
    },
  }
}
