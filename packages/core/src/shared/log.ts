/** harrow's own diagnostics: `HARROW_LOG=debug|info|warn|error|silent`, each line prefixed `[harrow <label>]`. */

import { lazyUtil } from './builtins.js'

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const
type Level = keyof typeof LEVELS

/** The environment variable that sets harrow's log level. @default 'warn' */
export const LOG_ENV = 'HARROW_LOG'

let threshold: number | undefined
let label = 'root'

/** Whether lines of `level` are printed; the level is read once, on first use. */
function enabled(level: Level): boolean {
  if (threshold === undefined) {
    const configured = (process.env[LOG_ENV] ?? 'warn').toLowerCase()
    threshold = configured in LEVELS ? LEVELS[configured as Level] : LEVELS.warn
  }
  return LEVELS[level] >= threshold
}

function write(level: Level, name: string, args: unknown[]): void {
  const text = lazyUtil().formatWithOptions({ colors: false }, ...args)
  process.stderr.write(`[harrow ${name}] ${level}: ${text}\n`)
}

/** Diagnostics under one label, at harrow's log levels. */
export interface Logger {
  /** A diagnostic for `HARROW_LOG=debug`. */
  readonly debug: (...args: unknown[]) => void
  /** Something unexpected that harrow recovered from. */
  readonly warn: (...args: unknown[]) => void
  /** Something that failed. */
  readonly error: (...args: unknown[]) => void
}

/**
 * A {@link Logger} whose lines are prefixed `[harrow <label>]`: for a
 * backend's own processes (a forkserver, its children), which are not actors.
 * @param name the label, or a function read at each line (it may change, as an actor's does once it knows its name)
 */
export function createLogger(name: string | (() => string)): Logger {
  const labelOf = typeof name === 'string' ? () => name : name
  return {
    debug: (...args) => void (enabled('debug') && write('debug', labelOf(), args)),
    warn: (...args) => void (enabled('warn') && write('warn', labelOf(), args)),
    error: (...args) => void (enabled('error') && write('error', labelOf(), args)),
  }
}

const own = createLogger(() => label)

/** Name this process's (or thread's) diagnostics after the actor it runs. */
export function setLogLabel(name: string): void {
  label = name
}

/** A diagnostic for `HARROW_LOG=debug`, under this actor's label. */
export const debug: Logger['debug'] = own.debug

/** Something unexpected that harrow recovered from, under this actor's label. */
export const warn: Logger['warn'] = own.warn
