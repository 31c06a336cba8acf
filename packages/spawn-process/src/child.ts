/**
 * The script each process actor runs: core's actor runtime over the socketpair on fd 3.
 * argv: the largest frame accepted, the compile cache directory (or ''), the actor's name.
 */

const [maxFrameSizeArg, compileCache] = process.argv.slice(2)

// First, so that core and the user's modules come from the cache; the parent chose the directory for the actor's
// environment. A runtime without the cache (Node < 22.1, Bun, Deno) has no such function.
if (compileCache) {
  try {
    ;(process.getBuiltinModule('node:module') as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache?.(compileCache)
  } catch {
    // A cache that cannot be turned on (a runtime's stub that throws) only makes this boot slower.
  }
}
const [{ inheritedChannel, socketTransport }, { exitAfterFlush, runActor }] = await Promise.all([import('@harrow/core/backend'), import('@harrow/core/child')])

const maxFrameSize = Number(maxFrameSizeArg)
const channel = inheritedChannel(3)

runActor({
  transport: socketTransport(channel, Number.isFinite(maxFrameSize) && maxFrameSize > 0 ? { maxFrameSize } : {}),
  exit: (code) => exitAfterFlush(code, channel),
  handleSignals: true,
})
