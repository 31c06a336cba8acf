/** Ending an actor's process or thread once what it wrote has flushed and its parent has read it, and not later than a bound. */

/** How long an exiting actor waits for its channel and stdio to flush (and its parent to close its end) before it exits anyway, in ms. */
export const EXIT_FLUSH_BOUND = 500

type Flushable = NodeJS.WritableStream & {
  readonly writableLength?: number
  readonly writableFinished?: boolean
  readonly destroyed?: boolean
  readonly readable?: boolean
}

function flushed(stream: Flushable): Promise<void> {
  return new Promise((resolve) => {
    if (!stream.writableLength) resolve()
    else stream.write('', () => resolve())
  })
}

/**
 * Resolves once what this side wrote is flushed and its end sent; with `peer`, once the peer ended its side too (the
 * channel closed), so it has read everything before it. A write-only channel resolves at its flush either way.
 */
function ended(stream: Flushable, peer: boolean): Promise<void> {
  return new Promise((resolve) => {
    const untilClosed = peer && stream.readable === true
    if (stream.destroyed || (!untilClosed && stream.writableFinished)) return resolve()
    const done = (): void => resolve()
    if (!untilClosed) stream.once('finish', done)
    stream.once('close', done)
    stream.once('error', done)
  })
}

/**
 * End this actor's process (or, in a worker, its thread) with `code` once its
 * channel (when it is a stream) and stdio have flushed; at the latest after
 * {@link EXIT_FLUSH_BOUND}: what a backend's child entry passes to
 * {@link runActor} as `exit`.
 *
 * An actor that leaves on its own (`code` other than 0: a crash, a failed boot,
 * a signal) also waits for its parent to close its end of the channel. Its parent
 * did not expect it to leave and may write to it at any moment; a write that
 * finds the actor gone fails with EPIPE, and a socket that fails a write drops
 * what it had not read yet: the actor's last frames. An actor that leaves with 0
 * was asked to (after CancelActor its parent writes nothing) or lost its parent.
 */
export function exitAfterFlush(code: number, channel?: Flushable): void {
  process.exitCode = code
  setTimeout(() => process.exit(code), EXIT_FLUSH_BOUND).unref()
  const sent = channel && ended(channel, code !== 0)
  void Promise.all([sent, flushed(process.stdout), flushed(process.stderr)]).then(() => process.exit(code))
}
