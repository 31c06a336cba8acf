/**
 * @harrow/core: structured-concurrency actors for Node.js. This is the
 * application's entry; backend authors import `@harrow/core/backend`, and a
 * backend's child entry `@harrow/core/child`.
 */

export { SPAWN_METHODS, type BuiltinSpawnMethod, type CustomSpawnMethods, type SpawnMethodKey } from './shared/spawn-methods.js'
export {
  registerSpawnMethod,
  listSpawnMethods,
  trySetStartMethod,
  getStartMethod,
  knownSpawnMethods,
  SPAWN_METHOD_ENV,
  DEFAULT_SPAWN_METHOD,
  type SpawnMethodStatus,
} from './shared/registry.js'
export type { BackendOptions, ProbeResult, SpawnMethodRegistration } from './shared/contracts.js'
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
  PoolQueueFullError,
  ActorPoolError,
  isHarrowError,
  type ActorId,
  type ActorPhase,
  type ProtocolViolation,
} from './shared/errors.js'
export { ref, refs, type FnRef, type Refs, type AnyFunction, type FunctionExports } from './shared/ref.js'
export { openNursery, withNursery, ActorNursery, type NurseryOptions, type ActorOptions, type RunInActorOptions } from './parent/nursery.js'
export { ActorPool, type PoolOptions, type PoolStats, type PoolCloseOptions, type RestartOptions } from './parent/pool.js'
export { PoolStream, type PoolRemote } from './parent/pool-stream.js'
export { withPool, type WithPoolOptions } from './parent/with-pool.js'
export { Portal, type CallOptions, type CancelActorOptions } from './parent/portal.js'
export type {
  Remote,
  BoundMethod,
  SendableArgs,
  Unsendable,
  StreamItem,
  ContextOf,
  TypedCallArgs,
  TypedContextArgs,
  ContextArgs,
} from './parent/remote-types.js'
export { ActorStream } from './parent/stream.js'
export { Context } from './parent/context.js'
export { context, currentTask, isContextFunction, type ActorContext, type ContextFunction, type ContextMark } from './actor/task.js'
export { currentActor, liveActors, type ActorInfo, type TaskInfo } from './shared/realm.js'
export { getTreeValue, setTreeValue } from './shared/tree-values.js'
export { TERMINATE_AFTER, KILL_GRACE } from './parent/lifecycle.js'
export { STARTUP_TIMEOUT } from './parent/spawn.js'
export { assertSendable } from './wire/sendable.js'
export { DEFAULT_MAX_FRAME_SIZE } from './wire/frames.js'
export { PROTOCOL_VERSION } from './wire/protocol.js'
export { FLOW_WINDOW, FLOW_WINDOW_BYTES, FLOW_WINDOW_MAX } from './wire/flow.js'
