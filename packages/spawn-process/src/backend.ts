/** The `'process'` backend: each actor is `<runtime> <execArgv> child.js` (Node, Bun or Deno), talking over an inherited socketpair on fd 3. */

import { spawn } from 'node:child_process'
import type { Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import {
  closedTransport,
  compileCacheDir,
  runtimeCommand,
  socketTransport,
  type SpawnBackend,
  type SpawnedChild,
  type SpawnRequest,
} from '@harrow/core/backend'
import { ChildProcessHandle } from './proc-handle.js'

/** The file descriptor of the actor channel in the child. */
export const CHANNEL_FD = 3

const CHILD_ENTRY = fileURLToPath(new URL('./child.js', import.meta.url))

/**
 * Starts actors as child processes of `process.execPath` (or the actor's
 * `execPath`). The channel is a
 * private socketpair inherited at spawn: nothing on the filesystem to leak,
 * and the child sees it close the moment the parent dies, however it dies.
 */
export const processBackend: SpawnBackend = {
  key: 'process',
  spawn(request: SpawnRequest): Promise<SpawnedChild> {
    // The actor's name rides along in argv only so that `ps` shows which actor a process is. The compile cache directory
    // is chosen here, for the actor's environment; the child turns it on if its runtime (maybe another one) has it.
    const args = [String(request.maxFrameSize), compileCacheDir(request.env) ?? '', request.name]
    const command = runtimeCommand(request.execPath, request.execArgv, CHILD_ENTRY, args)
    const child = spawn(command.file, command.args, {
      // stdout and stderr are the parent's own, so actors print to the same terminal without a relay.
      stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
      env: request.env,
      ...(request.cwd === undefined ? {} : { cwd: request.cwd }),
      windowsHide: true,
    })
    // The handle first: it listens for 'error', which a failed spawn (EMFILE, EAGAIN) emits on the next tick.
    const proc = new ChildProcessHandle(child)
    const channel = child.stdio?.[CHANNEL_FD] as Socket | null | undefined
    // A spawn that failed has no pipes: core then reports the failure from the handle's exit.
    return Promise.resolve({
      proc,
      transport: channel ? socketTransport(channel, { maxFrameSize: request.maxFrameSize }) : closedTransport(),
      unref() {
        child.unref()
        channel?.unref()
      },
    })
  },
}
