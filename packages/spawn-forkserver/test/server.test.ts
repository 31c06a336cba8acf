import { once } from 'node:events'
import { existsSync, readdirSync } from 'node:fs'
import { connect } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { isAlive, startRoot, waitFor } from './processes.js'

const roots = {
  tree: fileURLToPath(new URL('./fixtures/roots/tree.mjs', import.meta.url)),
  refusals: fileURLToPath(new URL('./fixtures/roots/refusals.mjs', import.meta.url)),
}

interface Tree {
  readonly root: number
  readonly server: number
  readonly address: string
  readonly actors: number[]
  readonly pool: number[]
}

/** Open a connection to `address`, write `bytes`, and resolve once the forkserver has closed it. */
function sendAndWaitForClose(address: string, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(address, () => socket.write(bytes))
    socket.on('error', reject)
    socket.resume()
    socket.on('close', () => resolve())
  })
}

function frame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message))
  const header = Buffer.alloc(4)
  header.writeUInt32BE(body.length)
  return Buffer.concat([header, body])
}

describe('the forkserver process', () => {
  test('when the root is killed with SIGKILL, the forkserver, its pool and every actor it handed out exit within 2 s, and its directory is removed', async () => {
    const root = startRoot(roots.tree)
    try {
      const tree = await root.line<Tree>()
      const everything = [tree.server, ...tree.actors, ...tree.pool]
      expect(tree.actors).toHaveLength(3)
      expect(everything.every(isAlive)).toBe(true)
      expect(existsSync(tree.address)).toBe(true)
      root.child.kill('SIGKILL')
      const gone = await waitFor(() => !everything.some(isAlive) && !existsSync(dirname(tree.address)), 2000)
      expect(everything.filter(isAlive)).toEqual([])
      expect(existsSync(dirname(tree.address))).toBe(false)
      expect(gone).toBe(true)
    } finally {
      root.killGroup()
    }
  })

  test('a local process that connects without the secret is refused and logged, and disturbs nothing', async () => {
    const root = startRoot(roots.refusals)
    try {
      const { address, server } = await root.line<{ address: string; server: number }>()
      await sendAndWaitForClose(address, Buffer.from('GET / HTTP/1.1\r\nhost: forkserver\r\n\r\n'))
      await sendAndWaitForClose(address, frame({ op: 'control', secret: 'not the secret' }))
      await sendAndWaitForClose(address, frame({ op: 'spawn', owner: 'x', id: 'y', actor: {} }))
      await sendAndWaitForClose(address, Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]))
      expect(isAlive(server)).toBe(true)
      const exited = once(root.child, 'exit')
      root.child.stdin?.write('go\n')
      expect(await root.line()).toEqual({ result: 42 })
      // It stops its forkserver and exits by itself: nothing is left.
      expect(await exited).toEqual([0, null])
      expect(isAlive(server)).toBe(false)
      expect(existsSync(dirname(address))).toBe(false)
      const refusals = root.stderr().match(/\[harrow forkserver\(\d+\)\] warn: refused a connection: .*/g) ?? []
      expect(refusals).toHaveLength(4)
      expect(refusals.join('\n')).toContain('wrong secret')
      expect(refusals.join('\n')).toContain('no secret')
      expect(refusals.join('\n')).toContain('exceeds the maximum')
    } finally {
      root.killGroup()
    }
  })

  test("a local process that connects to a parent's socket without a spawn's ticket is refused and logged, and disturbs nothing", async () => {
    const root = startRoot(roots.refusals)
    try {
      const { address } = await root.line<{ address: string }>()
      // The root listens for its actors beside the forkserver's socket, in the same private directory.
      // (Named after the root: a warm child's rehearsal socket may be there too, for a moment.)
      const [parentSocket] = readdirSync(dirname(address)).filter((name) => name.startsWith(`${root.child.pid}-`) && name.endsWith('.sock'))
      expect(parentSocket).toBeDefined()
      const path = join(dirname(address), parentSocket as string)
      await sendAndWaitForClose(path, frame({ ticket: 'guessed', pid: process.pid }))
      await sendAndWaitForClose(path, frame({ pid: process.pid }))
      await sendAndWaitForClose(path, Buffer.from('garbage that is not a frame'))
      const exited = once(root.child, 'exit')
      root.child.stdin?.write('go\n')
      expect(await root.line()).toEqual({ result: 42 })
      expect(await exited).toEqual([0, null])
      const refusals = root.stderr().match(/\[harrow forkserver client\(\d+\)\] warn: refused a connection: .*/g) ?? []
      expect(refusals).toHaveLength(3)
      expect(refusals.join('\n')).toContain('not a ticket of this process')
      expect(refusals.join('\n')).toContain('no ticket')
    } finally {
      root.killGroup()
    }
  })
})
