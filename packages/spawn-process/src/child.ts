/** The script each process actor runs: core's actor runtime over the socketpair on fd 3. */

import { inheritedChannel, socketTransport } from '@harrow/core/backend'
import { exitAfterFlush, runActor } from '@harrow/core/child'

const maxFrameSize = Number(process.argv[2])
const channel = inheritedChannel(3)

runActor({
  transport: socketTransport(channel, Number.isFinite(maxFrameSize) && maxFrameSize > 0 ? { maxFrameSize } : {}),
  exit: (code) => exitAfterFlush(code, channel),
  handleSignals: true,
})
