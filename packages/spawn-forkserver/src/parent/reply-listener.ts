/**
 * A parent's own socket for the actors it asks the forkserver for, in the
 * forkserver's private directory: each connection must prove the one-time
 * ticket of one of its spawns, and is then that actor's channel.
 */

import { createServer, type Server, type Socket } from 'node:net'
import { createLogger } from '@harrow/core/backend'
import { removeSocketFile } from '../shared/socket-dir.js'
import { MAX_FIRST_MESSAGE_BYTES, MessageReader, type TicketMessage } from '../shared/wire.js'

/** How long a connection to this process's socket may take to prove its ticket, in ms. */
const TICKET_TIMEOUT = 5000

const log = createLogger(`forkserver client(${process.pid})`)

/** What a proven ticket is redeemed for: the spawn it was made for, which takes the connection. */
export interface TicketHolder {
  /** The actor's process `pid` proved the ticket: `socket` is its channel, paused, with what followed the ticket unshifted. */
  connected(socket: Socket, pid: number): void
}

/**
 * Listens at `path` for actors. `claim(ticket)` gives the spawn a ticket was
 * made for (and forgets the ticket: it is good once), or `undefined` for a
 * ticket that is not, or no longer, this process's.
 */
export class ReplyListener {
  readonly #path: string
  readonly #claim: (ticket: string) => TicketHolder | undefined
  readonly #server: Server
  #listening = false

  constructor(path: string, claim: (ticket: string) => TicketHolder | undefined) {
    this.#path = path
    this.#claim = claim
    this.#server = createServer((socket) => this.#accept(socket))
  }

  /** The socket file, once it listens. */
  get path(): string | undefined {
    return this.#listening ? this.#path : undefined
  }

  /**
   * Start listening; the socket file is removed when this process exits.
   *
   * @throws the listen error (EADDRINUSE, ENOENT once the directory is gone, ...) when it cannot.
   */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.on('error', (error) => {
        // Once listening, an error is a failed accept (EMFILE, ENFILE): that one connection is lost, the listener carries on.
        if (this.#listening) log.warn('could not accept a connection:', error.message)
        else reject(error)
      })
      this.#server.listen(this.#path, () => {
        this.#listening = true
        process.on('exit', this.#removeSocketFile)
        resolve()
      })
    })
  }

  /** Stop holding this process open for the listener. */
  unref(): void {
    this.#server.unref()
  }

  /** Stop listening and remove the socket file. */
  close(): void {
    this.#server.close()
    this.#removeSocketFile()
    process.off('exit', this.#removeSocketFile)
  }

  readonly #removeSocketFile = (): void => {
    // Removed already when the forkserver stopped: it removes its whole directory.
    if (this.#listening) removeSocketFile(this.#path)
  }

  /** A connection to this process's socket: an actor proving its ticket, or anyone else, refused. */
  #accept(socket: Socket): void {
    socket.on('error', () => {})
    const reader = new MessageReader(MAX_FIRST_MESSAGE_BYTES)
    const refuse = (reason: string): void => {
      clearTimeout(timer)
      log.warn(`refused a connection: ${reason}`)
      socket.destroy()
    }
    const timer = setTimeout(() => refuse(`no ticket within ${TICKET_TIMEOUT} ms`), TICKET_TIMEOUT)
    // A child killed before its ticket arrived closes the connection: nothing to refuse, and nothing to wait for.
    socket.once('close', () => clearTimeout(timer))
    const onData = (chunk: Buffer): void => {
      let first: Partial<TicketMessage> | undefined
      try {
        first = reader.push(chunk, 1)[0] as Partial<TicketMessage> | undefined
      } catch (error) {
        return refuse((error as Error).message)
      }
      if (!first) return
      const { ticket, pid } = first
      const holder = typeof ticket === 'string' && typeof pid === 'number' && Number.isInteger(pid) ? this.#claim(ticket) : undefined
      if (!holder || pid === undefined) return refuse(ticket === undefined ? 'no ticket' : 'not a ticket of this process')
      clearTimeout(timer)
      socket.off('data', onData)
      socket.pause()
      // What followed the ticket (the actor's hello, at least) is the start of the actor's channel.
      const rest = reader.takeRest()
      if (rest.length > 0) socket.unshift(rest)
      holder.connected(socket, pid)
    }
    socket.on('data', onData)
  }
}
