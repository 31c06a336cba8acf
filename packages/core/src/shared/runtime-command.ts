/** The command line that starts a script on a JavaScript runtime: Node, Bun or Deno. */

import { basename } from 'node:path'

/** A program and its arguments, as `child_process.spawn` takes them. */
export interface RuntimeCommand {
  /** The executable. */
  readonly file: string
  /** Its arguments. */
  readonly args: string[]
}

/**
 * The command that runs `script` with `args` on `execPath` (default: this
 * process's own runtime) with runtime flags `execArgv`.
 *
 * On its own runtime the command is Node-style (`flags script args`): Node and
 * Bun take it as is, and Deno's `child_process` turns it into `deno run -A ...`
 * itself when the executable is Deno's own. For another Deno executable that
 * mapping does not happen, so `run -A` is added here (unless the flags already
 * start with a subcommand). That executable is recognised by its file name:
 * the only other way to know is to run it, and every spawn would pay for that.
 */
export function runtimeCommand(execPath: string | undefined, execArgv: readonly string[], script: string, args: readonly string[] = []): RuntimeCommand {
  const file = execPath ?? process.execPath
  const flags = file !== process.execPath && isDeno(file) && execArgv[0] !== 'run' ? ['run', '-A', ...execArgv] : [...execArgv]
  return { file, args: [...flags, script, ...args] }
}

/** Whether `file` names a Deno executable (by its file name), which runs a script as `deno run -A script`. */
export function isDeno(file: string): boolean {
  return /^deno(?:\.exe)?$/i.test(basename(file))
}
