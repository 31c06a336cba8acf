/** The parent's byte stream to an ssh actor: the session's stdout to read, its stdin to write. */

import { Duplex, Writable, type Readable } from 'node:stream'

/**
 * The session's stdout and stdin as one stream, for core's socket transport.
 * A write to stdin that fails (EPIPE: ssh ended the session and reads no
 * more) ends only the writing side. A plain `Duplex.from` would destroy
 * stdout with it and drop what ssh wrote there before it went: the actor's
 * last frames (its result, its error). Frames written after that are moot
 * and dropped; the channel closes when stdout ends, and the session's end is
 * reported by its process's exit.
 */
export function sessionStream(stdout: Readable, stdin: Writable): Duplex {
  let stopped = false
  stdin.on('error', () => {
    stopped = true
  })
  const input = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (stopped || stdin.destroyed) return done()
      // A write that fails is the 'error' above; its callback gets the same error, which ends nothing here.
      stdin.write(chunk, () => done())
    },
    final(done) {
      if (stopped || stdin.destroyed) return done()
      stdin.end(() => done())
    },
    destroy(error, done) {
      stdin.destroy()
      done(error)
    },
  })
  return Duplex.from({ readable: stdout, writable: input })
}
