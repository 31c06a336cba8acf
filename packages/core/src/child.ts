/**
 * @harrow/core/child: what a backend's child entry runs. `runActor` starts
 * core's actor runtime on the channel the backend made; `exitAfterFlush` ends
 * the process (or thread) once what it wrote has left.
 */

export { runActor, ORPHAN_TERMINATE_AFTER, type ActorHost } from './actor/run-actor.js'
export { exitAfterFlush, EXIT_FLUSH_BOUND } from './actor/exit.js'
export { rehearseProtocol } from './wire/rehearsal.js'
