/** Ending an actor's process or thread once what it wrote has flushed, and not later than a bound. */

/** How long an exiting actor waits for its channel and stdio to flush before it exits anyway, in ms. */
export const EXIT_FLUSH_BOUND = 500

type Flushable = NodeJS.WritableStream & { readonly writableLength?: number; readonly writableFinished?: boolean; readonly destroyed?: boolean }

function flushed(stream: Flushable): Promise<void> {
  return new Promise((resolve) => {
    if (!stream.writableLength) resolve()
    else stream.write('', () => resolve())
  })
}

function ended(stream: Flushable): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableFinished || stream.destroyed) return resolve()
    const done = (): void => resolve()
    stream.once('finish', done)
    stream.once('close', done)
    stream.once('error', done)
  })
}

/**
 * End this actor's process (or, in a worker, its thread) with `code` once its
 * channel (when it is a stream) and stdio have flushed, and at the latest
 * after {@link EXIT_FLUSH_BOUND}: what a backend's child entry passes to
 * {@link runActor} as `exit`.
 */
export function exitAfterFlush(code: number, channel?: Flushable): void {
  process.exitCode = code
  setTimeout(() => process.exit(code), EXIT_FLUSH_BOUND).unref()
  void Promise.all([channel ? ended(channel) : undefined, flushed(process.stdout), flushed(process.stderr)]).then(() => process.exit(code))
}
