/** The versions a parent and a remote actor must agree on: @harrow/core's, this package's, and the protocol's. */

import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/** This package's version. */
export const SSH_PACKAGE_VERSION = (require('../package.json') as { version: string }).version

/**
 * The version of the @harrow/core this package resolves.
 *
 * @throws Error (ERR_MODULE_NOT_FOUND) when @harrow/core is not installed beside it.
 */
export function coreVersion(): string {
  return (require('@harrow/core/package.json') as { version: string }).version
}
