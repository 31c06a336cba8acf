import { readFileSync, readdirSync } from 'node:fs'
import { describe, expect, test } from 'vitest'

const dist = new URL('../dist/', import.meta.url)

/** Every file an entry of the built package loads, following its static relative imports. */
function moduleGraph(entry: string): Map<string, string> {
  const seen = new Map<string, string>()
  const visit = (name: string): void => {
    if (seen.has(name)) return
    const text = readFileSync(new URL(name, dist), 'utf8')
    seen.set(name, text)
    for (const match of text.matchAll(/from\s*["']\.\/([^"']+)["']|import\s*["']\.\/([^"']+)["']/g)) visit(match[1] ?? match[2] ?? '')
  }
  visit(entry)
  return seen
}

describe('entries', () => {
  test('the backend authors entry and the env entry load neither the codec (msgpackr) nor the nursery', () => {
    for (const entry of ['backend.js', 'env.js']) {
      const graph = moduleGraph(entry)
      for (const [file, text] of graph) {
        expect(text, `${entry} loads ${file}`).not.toMatch(/Packr|class ActorNursery/)
      }
    }
  })

  test('the child entry loads the codec but not the nursery, portals or streams', () => {
    const graph = [...moduleGraph('child.js').values()].join('\n')
    expect(graph).toMatch(/Packr/)
    expect(graph).not.toMatch(/class ActorNursery|class Portal|class ActorStream/)
  })

  test('a child loads two modules of core (its runtime and what it shares with the backend entry), not an entry and its chunks', () => {
    expect([...moduleGraph('child.js').keys()].sort()).toEqual(['child.js', 'shared.js'])
    expect([...moduleGraph('backend.js').keys()].sort()).toEqual(['backend.js', 'shared.js'])
  })

  test('every module of core is built into one file: the entries import the runtime rather than copy it', async () => {
    const files = readdirSync(dist).filter((file) => file.endsWith('.js'))
    for (const declaration of [
      'var HarrowError =',
      'var ActorFailure =',
      'var ProtocolError =',
      'var Packr = ',
      'function runActor(',
      'function socketTransport(',
    ]) {
      const holders = files.filter((file) => readFileSync(new URL(file, dist), 'utf8').includes(declaration))
      expect(holders, declaration).toHaveLength(1)
    }
    const root = (await import(new URL('index.js', dist).href)) as Record<string, unknown>
    const backend = (await import(new URL('backend.js', dist).href)) as Record<string, unknown>
    const child = (await import(new URL('child.js', dist).href)) as Record<string, unknown>
    expect(backend['ActorFailure']).toBe(root['ActorFailure'])
    expect(child['ProtocolError']).toBe(backend['ProtocolError'])
    expect(child['PROTOCOL_VERSION']).toBe(root['PROTOCOL_VERSION'])
  })

  test('the application entry exports no backend-only helper', async () => {
    const root = (await import(new URL('index.js', dist).href)) as Record<string, unknown>
    for (const name of [
      'runActor',
      'exitAfterFlush',
      'socketTransport',
      'hardKill',
      'softKill',
      'rehearseProtocol',
      'EAGER_FLUSH_FRAMES',
      'EAGER_FLUSH_BYTES',
      'ORPHAN_TERMINATE_AFTER',
    ]) {
      expect(root, name).not.toHaveProperty(name)
    }
    const backend = (await import(new URL('backend.js', dist).href)) as Record<string, unknown>
    for (const name of ['hardKill', 'softKill', 'exhaustPortal', 'cancelOnCompletion', 'waitForPeerOrProcDeath', 'registerSpawnMethod', 'socketTransport']) {
      expect(typeof backend[name], name).toBe('function')
    }
  })
})
