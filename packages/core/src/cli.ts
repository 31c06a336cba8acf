#!/usr/bin/env node
/** The `harrow` command: `harrow backends [--json]` lists the spawn methods and why any is unavailable. */

import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'
import { listSpawnMethods, type SpawnMethodStatus } from './shared/registry.js'

const USAGE = `usage: harrow <command> [options]

commands:
  backends [--json]   list spawn methods: installed, supported, and why not

options:
  -h, --help          print this help
  -v, --version       print @harrow/core's version
`

/** @harrow/core's version, from its package.json (two levels above the built cli.js and the source cli.ts alike). */
function version(): string {
  const manifest = createRequire(import.meta.url)('../package.json') as { version?: unknown }
  return typeof manifest.version === 'string' ? manifest.version : 'unknown'
}

function table(rows: readonly SpawnMethodStatus[]): string {
  const header = ['KEY', 'PACKAGE', 'INSTALLED', 'SUPPORTED', 'VERSION', 'REASON']
  const cells = rows.map((r) => [r.key, r.packageName, r.installed ? 'yes' : 'no', r.supported ? 'yes' : 'no', r.version ?? '-', r.reason ?? ''])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)))
  const line = (c: readonly string[]): string =>
    c
      .map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [line(header), ...cells.map(line)].join('\n')
}

async function main(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
    })
  } catch (error) {
    // parseArgs explains positionals starting with '-' at length: its first sentence is what a user needs.
    process.stderr.write(`harrow: ${(error as Error).message.split('. ')[0] ?? ''}\n${USAGE}`)
    return 2
  }
  const [command, ...rest] = parsed.positionals
  if (parsed.values.version) {
    process.stdout.write(`${version()}\n`)
    return 0
  }
  if (parsed.values.help || command === undefined) {
    process.stdout.write(USAGE)
    return command === undefined && !parsed.values.help ? 2 : 0
  }
  if (command !== 'backends' || rest.length > 0) {
    process.stderr.write(`harrow: unknown command '${[command, ...rest].join(' ')}'\n${USAGE}`)
    return 2
  }
  const rows = await listSpawnMethods()
  process.stdout.write(parsed.values.json ? `${JSON.stringify(rows, null, 2)}\n` : `${table(rows)}\n`)
  return 0
}

process.exitCode = await main(process.argv.slice(2))
