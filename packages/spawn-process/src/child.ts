/** The script each process actor runs: core's actor runtime over the socketpair on fd 3. */

import { Socket } from 'node:net'
import { socketTransport } from '@harrow/core/backend'
import { exitAfterFlush, runActor } from '@harrow/core/child'

const maxFrameSize = Number(process.argv[2])
const channel = new Socket({ fd: 3, readable: true, writable: true })

runActor({
  transport: socketTransport(channel, Number.isFinite(maxFrameSize) && maxFrameSize > 0 ? { maxFrameSize } : {}),
  exit: (code) => exitAfterFlush(code, channel),
  handleSignals: true,
})
