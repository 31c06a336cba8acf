/** The parent's byte stream to an ssh actor: the session's stdout to read, its stdin to write. */

import { Duplex, Writable, type Readable } from 'node:stream'
import { createLogger } from '@harrow/core/backend'

const log = createLogger('ssh')

/** An ssh session as one stream, and whether its stdin still takes what is written to it. */
export interface SessionStream {
  readonly stream: Duplex
  /** False once a write to the session failed (ssh stopped reading): frames, signals included, no longer reach the actor. */
  readonly writing: boolean
}

/**
 * The session's stdout and stdin as one stream, for core's socket transport.
 * A write to stdin that fails (EPIPE: ssh ended the session and reads no
 * more) ends only the writing side. A plain `Duplex.from` would destroy
 * stdout with it and drop what ssh wrote there before it went: the actor's
 * last frames (its result, its error). Frames written after that are moot
 * and dropped; the channel closes when stdout ends, and the session's end is
 * reported by its process's exit.
 */
export function sessionStream(stdout: Readable, stdin: Writable): SessionStream {
  let writing = true
  stdin.on('error', (error: NodeJS.ErrnoException) => {
    writing = false
    // EPIPE is the session's normal end; anything else is worth a line when debugging.
    if (error.code !== 'EPIPE') log.debug(`the ssh session's stdin failed: ${error.message}`)
  })
  const input = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!writing || stdin.destroyed) return done()
      // A write that fails is the 'error' above; its callback gets the same error, which ends nothing here.
      stdin.write(chunk, () => done())
    },
    final(done) {
      if (!writing || stdin.destroyed) return done()
      stdin.end(() => done())
    },
    destroy(error, done) {
      stdin.destroy()
      done(error)
    },
  })
  return {
    stream: Duplex.from({ readable: stdout, writable: input }),
    get writing() {
      return writing && !stdin.destroyed
    },
  }
}
