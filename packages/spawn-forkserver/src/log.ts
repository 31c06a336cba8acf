/** Diagnostics of the forkserver and its children, in core's format and under core's `HARROW_LOG` levels. */

import { formatWithOptions } from 'node:util'

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const
type Level = keyof typeof LEVELS

let threshold: number | undefined

function enabled(level: Level): boolean {
  if (threshold === undefined) {
    const configured = (process.env.HARROW_LOG ?? 'warn').toLowerCase()
    threshold = configured in LEVELS ? LEVELS[configured as Level] : LEVELS.warn
  }
  return LEVELS[level] >= threshold
}

function write(level: Level, label: string, args: unknown[]): void {
  process.stderr.write(`[harrow ${label}] ${level}: ${formatWithOptions({ colors: false }, ...args)}\n`)
}

/** A logger whose lines are prefixed `[harrow <label>]`. */
export interface Logger {
  debug(...args: unknown[]): void
  warn(...args: unknown[]): void
  error(...args: unknown[]): void
}

/** Make a {@link Logger} for `label` (for example `forkserver(4242)`). */
export function logger(label: string): Logger {
  return {
    debug: (...args) => void (enabled('debug') && write('debug', label, args)),
    warn: (...args) => void (enabled('warn') && write('warn', label, args)),
    error: (...args) => void (enabled('error') && write('error', label, args)),
  }
}
