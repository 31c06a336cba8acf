/**
 * @harrow/core/backend: the backend authors' entry. The contracts a spawn
 * backend implements (`SpawnBackend`, `ProcHandle`, `Transport`), its
 * registration, the lifecycle helpers core drives every child with, and the
 * light helpers backends share. Light on purpose: it never loads the codec or
 * the nursery, so a backend's own processes (a forkserver, a warm child
 * before it is handed out) can use it without loading the rest of core.
 */

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
} from './shared/contracts.js'
export { registerSpawnMethod, loadSpawnBackend, loadedSpawnBackends } from './shared/registry.js'
export {
  hardKill,
  softKill,
  exhaustPortal,
  cancelOnCompletion,
  waitForPeerOrProcDeath,
  TERMINATE_AFTER,
  KILL_GRACE,
  type CancellablePortal,
  type CancelOnCompletionOptions,
  type HardKillOptions,
  type SoftKillOptions,
} from './parent/lifecycle.js'
export { closedTransport, socketTransport, type SocketTransportOptions } from './wire/socket-transport.js'
export { inheritedChannel, type InheritedChannel, type InheritedChannelOptions } from './wire/inherited-channel.js'
export { DEFAULT_MAX_FRAME_SIZE, EAGER_FLUSH_BYTES, EAGER_FLUSH_FRAMES, FRAME_HEADER_BYTES, FrameDecoder } from './wire/frames.js'
export { getTreeValue, setTreeValue } from './shared/tree-values.js'
export { HOST_ENV } from './shared/realm.js'
export { deferred, within, aborted, TIMED_OUT, type Deferred } from './shared/async.js'
export { createLogger, type Logger } from './shared/log.js'
export { normalizeModule } from './shared/ref.js'
export { importModule } from './shared/import-module.js'
export { describeSystemError, HarrowError, ActorFailure, ProtocolError, type ActorId } from './shared/errors.js'
export { signalChild } from './shared/signal-child.js'
export { compileCacheDir, enableCompileCache, hasCompileCache } from './shared/compile-cache.js'
export { isDeno, runtimeCommand, type RuntimeCommand } from './shared/runtime-command.js'
export { processState, isRunning, parseProcStat, type ProcessState } from './shared/proc-state.js'
export { MAX_SOCKET_PATH, socketTempDir } from './shared/socket-path.js'
