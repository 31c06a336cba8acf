#!/usr/bin/env node
// Release-flow check: apply the pending changesets with `changeset version` in a
// scratch copy of HEAD and check that every package they name got a new version
// and a CHANGELOG entry. Nothing in the working tree changes.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), 'harrow-release-'))
const sh = (command, args, cwd) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

try {
  execFileSync('sh', ['-c', `git archive HEAD | tar -x -C '${scratch}'`], { cwd: root })
  const pending = readdirSync(join(scratch, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')
  if (pending.length === 0) {
    console.log('changeset dry run: no pending changesets')
    process.exit(0)
  }
  const named = new Map()
  for (const file of pending) {
    const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(scratch, '.changeset', file), 'utf8'))?.[1] ?? ''
    for (const line of front.split('\n')) {
      const match = /^"?([^":]+)"?\s*:\s*(major|minor|patch)/.exec(line.trim())
      if (match) named.set(match[1], match[2])
    }
  }
  const before = new Map()
  const dirs = readdirSync(join(scratch, 'packages')).map((d) => join(scratch, 'packages', d))
  for (const dir of dirs) before.set(dir, JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version)
  sh(join(root, 'node_modules/.bin/changeset'), ['version'], scratch)
  const left = readdirSync(join(scratch, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')
  if (left.length > 0) throw new Error(`changesets left unapplied: ${left.join(', ')}`)
  for (const dir of dirs) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    if (!named.has(manifest.name)) continue
    if (manifest.version === before.get(dir)) throw new Error(`${manifest.name} kept version ${manifest.version}`)
    if (!existsSync(join(dir, 'CHANGELOG.md'))) throw new Error(`${manifest.name} has no CHANGELOG.md`)
    console.log(`changeset dry run: ${manifest.name} ${before.get(dir)} -> ${manifest.version} (${named.get(manifest.name)}), CHANGELOG written`)
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
