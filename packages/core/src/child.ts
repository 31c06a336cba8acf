/**
 * @harrow/core/child: what a backend's child entry runs. `runActor` starts
 * core's actor runtime on the channel the backend made; `exitAfterFlush` ends
 * the process (or thread) once what it wrote has left.
 */

export { runActor, ORPHAN_TERMINATE_AFTER, type ActorHost } from './actor/run-actor.js'
export { exitAfterFlush, EXIT_FLUSH_BOUND } from './actor/exit.js'
export { rehearseProtocol } from './wire/rehearsal.js'
export { PROTOCOL_VERSION } from './wire/protocol.js'
// What a child entry needs to build its own transport, so that it loads no more of core than this entry (in a
// worker thread, every module more is start-up time: `@harrow/core/backend` cost ~5 ms there).
export { DEFAULT_MAX_FRAME_SIZE, EAGER_FLUSH_BYTES, EAGER_FLUSH_FRAMES } from './wire/frames.js'
export { ProtocolError } from './shared/errors.js'
export type { Transport, TransportSink } from './shared/contracts.js'
