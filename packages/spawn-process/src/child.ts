/** The script each process actor runs: core's actor runtime over the socketpair on fd 3. */

import { enableCompileCache, inheritedChannel, socketTransport } from '@harrow/core/backend'

// Before the actor runtime loads, so that its modules (and the user's) come from the compile cache.
enableCompileCache()
const { exitAfterFlush, runActor } = await import('@harrow/core/child')

const maxFrameSize = Number(process.argv[2])
const channel = inheritedChannel(3)

runActor({
  transport: socketTransport(channel, Number.isFinite(maxFrameSize) && maxFrameSize > 0 ? { maxFrameSize } : {}),
  exit: (code) => exitAfterFlush(code, channel),
  handleSignals: true,
})
