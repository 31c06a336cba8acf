/** harrow's own diagnostics: `HARROW_LOG=debug|info|warn|error|silent`, prefixed with the actor's name. */

import { lazyUtil } from './builtins.js'

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const
type Level = keyof typeof LEVELS

/** The environment variable that sets harrow's log level. @default 'warn' */
export const LOG_ENV = 'HARROW_LOG'

let threshold: number | undefined
let label = 'root'

function enabled(level: Level): boolean {
  if (threshold === undefined) {
    const configured = (process.env[LOG_ENV] ?? 'warn').toLowerCase()
    threshold = configured in LEVELS ? LEVELS[configured as Level] : LEVELS.warn
  }
  return LEVELS[level] >= threshold
}

function write(level: Level, args: unknown[]): void {
  const text = lazyUtil().formatWithOptions({ colors: false }, ...args)
  process.stderr.write(`[harrow ${label}] ${level}: ${text}\n`)
}

/** Name this process's (or thread's) diagnostics after the actor it runs. */
export function setLogLabel(name: string): void {
  label = name
}

/** A diagnostic for `HARROW_LOG=debug`. */
export function debug(...args: unknown[]): void {
  if (enabled('debug')) write('debug', args)
}

/** Something unexpected that harrow recovered from. */
export function warn(...args: unknown[]): void {
  if (enabled('warn')) write('warn', args)
}
