/** Whether this process has run out of file descriptors: what a missing module or a dead child may really mean. */

import { lazyFs } from './builtins.js'

/**
 * The EMFILE or ENFILE error opening a file now fails with, or `undefined`
 * when descriptors are left. Node reads a `package.json` it cannot open as
 * absent, so a module that "cannot be found" while this process (a worker
 * thread's, or a child's) is out of descriptors was not missing at all.
 */
export function outOfDescriptors(): NodeJS.ErrnoException | undefined {
  const fs = lazyFs()
  let fd: number | undefined
  try {
    fd = fs.openSync(process.execPath, 'r')
    return undefined
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return code === 'EMFILE' || code === 'ENFILE' ? (error as NodeJS.ErrnoException) : undefined
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}
