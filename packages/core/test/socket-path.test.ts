import { describe, expect, test } from 'vitest'
import { MAX_SOCKET_PATH, socketTempDir } from '../src/shared/socket-path.js'

describe('socketTempDir', () => {
  const tail = 40

  test('keeps the temp directory while the longest socket path fits in it', () => {
    const temp = `/${'t'.repeat(MAX_SOCKET_PATH - tail - 1)}`
    expect((temp + 'x'.repeat(tail)).length).toBe(MAX_SOCKET_PATH)
    expect(socketTempDir(tail, temp)).toBe(temp)
  })

  test('moves to /tmp when a socket path would pass the limit by a byte', () => {
    const temp = `/${'t'.repeat(MAX_SOCKET_PATH - tail)}`
    expect(socketTempDir(tail, temp)).toBe('/tmp')
  })
})
