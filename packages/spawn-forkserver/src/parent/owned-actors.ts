/** The actors a parent asked the forkserver for: their handles by id, for the forkserver's reports, and by ticket, until they connect. */

import { randomBytes, randomUUID } from 'node:crypto'
import { ForkserverProcHandle, type SignalRoute } from './proc-handle.js'

/** Bytes of entropy in a spawn's ticket. */
const TICKET_BYTES = 24

/** A new actor's handle and the one-time ticket its process must prove when it connects. */
export interface OwnedActor {
  readonly handle: ForkserverProcHandle
  readonly ticket: string
}

/** Every handle of one parent's forkserver actors, until each has exited. */
export class OwnedActors {
  readonly #handles = new Map<string, ForkserverProcHandle>()
  /** Handles waiting for their actor to connect, by ticket. */
  readonly #tickets = new Map<string, ForkserverProcHandle>()

  /** Register a new actor, whose signals go through `route`; it is forgotten once it has exited. */
  open(route: SignalRoute): OwnedActor {
    const handle = new ForkserverProcHandle(randomUUID(), route)
    const ticket = randomBytes(TICKET_BYTES).toString('base64')
    this.#handles.set(handle.id, handle)
    this.#tickets.set(ticket, handle)
    void handle.wait().then(() => {
      this.#handles.delete(handle.id)
      this.#tickets.delete(ticket)
    })
    return { handle, ticket }
  }

  /** The handle `ticket` was made for, if it still waits for its actor; the ticket is good once. */
  claim(ticket: string): ForkserverProcHandle | undefined {
    const handle = this.#tickets.get(ticket)
    this.#tickets.delete(ticket)
    return handle
  }

  /** The handle of actor `id`, until it has exited. */
  get(id: string): ForkserverProcHandle | undefined {
    return this.#handles.get(id)
  }

  /** The forkserver cannot be reached any more: every handle settles (see {@link ForkserverProcHandle.unreachable}). */
  unreachable(reason: Error): void {
    for (const handle of this.#handles.values()) handle.unreachable(reason)
  }
}
