/** @harrow/core: structured-concurrency actors for Node.js. */

export { SPAWN_METHODS, type BuiltinSpawnMethod, type CustomSpawnMethods, type SpawnMethodKey } from './spawn-methods.js'
export {
  registerSpawnMethod,
  listSpawnMethods,
  trySetStartMethod,
  getStartMethod,
  loadSpawnBackend,
  loadedSpawnBackends,
  knownSpawnMethods,
  SPAWN_METHOD_ENV,
  DEFAULT_SPAWN_METHOD,
  type SpawnMethodStatus,
} from './registry.js'
export type {
  BackendOptions,
  ExitInfo,
  ProbeResult,
  ProcHandle,
  SpawnBackend,
  SpawnedChild,
  SpawnMethodRegistration,
  SpawnRequest,
  Transport,
  TransportSink,
} from './backend.js'
export {
  HarrowError,
  RemoteActorError,
  ActorFailure,
  ActorCancelledError,
  SpawnMethodUnavailableError,
  ActorNurseryError,
  ProtocolError,
  ChannelClosedError,
  ModuleNotEnabledError,
  isHarrowError,
  type ActorId,
  type ActorPhase,
  type ProtocolViolation,
} from './errors.js'
export { ref, type FnRef } from './ref.js'
export { openNursery, withNursery, ActorNursery, type NurseryOptions, type ActorOptions } from './nursery.js'
export { Portal, type CallOptions, type CancelActorOptions, type Remote } from './portal.js'
export { ActorStream } from './stream.js'
export { Context } from './context.js'
export { context, currentTask, isContextFunction, type ActorContext, type ContextFunction } from './task.js'
export { currentActor, liveActors, type ActorInfo, type TaskInfo } from './runtime.js'
export { getTreeValue, setTreeValue } from './tree.js'
export {
  hardKill,
  softKill,
  exhaustPortal,
  cancelOnCompletion,
  waitForPeerOrProcDeath,
  TERMINATE_AFTER,
  KILL_GRACE,
  type CancellablePortal,
  type HardKillOptions,
  type SoftKillOptions,
} from './lifecycle.js'
export { STARTUP_TIMEOUT } from './spawn.js'
export { assertSendable } from './codec.js'
export { runActor, exitAfterFlush, EXIT_FLUSH_BOUND, ORPHAN_TERMINATE_AFTER, type ActorHost } from './child.js'
export { rehearseProtocol } from './rehearsal.js'
export { closedTransport, socketTransport, type SocketTransportOptions } from './socket-transport.js'
export { DEFAULT_MAX_FRAME_SIZE, EAGER_FLUSH_FRAMES } from './frames.js'
export { PROTOCOL_VERSION } from './protocol.js'
export { FLOW_WINDOW, FLOW_WINDOW_BYTES } from './flow.js'
