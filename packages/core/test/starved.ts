import { execFileSync } from 'node:child_process'

/**
 * Run `body` (an ES module body, `core` bound to dist/backend.js) in a node under `ulimit -n 32` whose descriptors
 * are used up, and return what it prints as JSON: how code behaves in a process out of file descriptors.
 */
export function runStarved<T>(body: string): T {
  const script = `
    import { openSync } from 'node:fs'
    const core = await import(${JSON.stringify(new URL('../dist/backend.js', import.meta.url).href)})
    const held = []
    try { for (;;) held.push(openSync('/dev/null', 'r')) } catch {}
    ${body}
    process.exit(0)
  `
  const out = execFileSync('sh', ['-c', `ulimit -n 32 && exec "$0" --input-type=module -e "$1"`, process.execPath, script], {
    encoding: 'utf8',
    timeout: 30_000,
  })
  return JSON.parse(out) as T
}
