/** The error the forkserver backend adds to core's. */

import { HarrowError } from '@harrow/core/backend'

/**
 * The forkserver could not be started, reached or configured: its socket
 * directory is unsafe, it exited, or an option is invalid here. Actors that
 * fail are still reported as core's `ActorFailure`s; this is about the server.
 */
export class ForkserverError extends HarrowError {}
Object.defineProperty(ForkserverError.prototype, 'name', { value: 'ForkserverError', writable: true, configurable: true, enumerable: false })
