/** A message channel: the codec and protocol checks over one {@link Transport}. */

import type { Transport } from '../shared/contracts.js'
import { Codec } from './codec.js'
import { ProtocolError } from '../shared/errors.js'
import { debug } from '../shared/log.js'

/** What a {@link Channel} hands its owner. */
export interface ChannelHandler<In> {
  /** One decoded, shape-checked message, and the size of its frame. May throw a `ProtocolError` to close the channel. */
  message(message: In, bytes: number): void
  /** The channel closed; `error` says why when it was not an orderly close. Called once. */
  closed(error: Error | undefined): void
}

/**
 * One end of an actor channel. Outgoing messages are encoded with the codec;
 * incoming frames are decoded and checked by `parse`. A frame that does not
 * decode, or a handler that throws a `ProtocolError`, closes the channel with
 * that error.
 */
export class Channel<In, Out> {
  readonly #transport: Transport
  readonly #handler: ChannelHandler<In>
  readonly #parse: (raw: unknown) => In
  readonly #codec = new Codec()
  #closed = false

  constructor(transport: Transport, parse: (raw: unknown) => In, handler: ChannelHandler<In>) {
    this.#transport = transport
    this.#parse = parse
    this.#handler = handler
    transport.start({
      frame: (data) => this.#receive(data),
      close: (error) => this.#finish(error),
    })
  }

  /** True once the channel has closed, from either side. */
  get closed(): boolean {
    return this.#closed
  }

  /** Encode and send one message; dropped once the channel is closed. Returns the frame's size in bytes. */
  send(message: Out): number {
    if (this.#closed) return 0
    const frame = this.#codec.encode(message)
    this.#transport.send(frame)
    return frame.length
  }

  /** Close the channel with a protocol violation: the peer is then reaped by its owner. */
  fail(error: Error): void {
    if (this.#closed) return
    debug('channel failed:', error.message)
    this.#finish(error)
    this.#transport.close()
  }

  /** Flush what was sent and close in order. */
  close(): void {
    if (this.#closed) return
    this.#finish(undefined)
    this.#transport.close()
  }

  #receive(data: Uint8Array): void {
    if (this.#closed) return
    let message: In
    try {
      message = this.#parse(this.#codec.decode(data))
    } catch (error) {
      this.fail(error instanceof ProtocolError ? error : new ProtocolError('malformed', `undecodable frame: ${(error as Error).message}`, { cause: error }))
      return
    }
    try {
      this.#handler.message(message, data.length)
    } catch (error) {
      if (error instanceof ProtocolError) this.fail(error)
      else throw error
    }
  }

  #finish(error: Error | undefined): void {
    if (this.#closed) return
    this.#closed = true
    this.#handler.closed(error)
  }
}
