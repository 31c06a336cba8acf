import { describe, expect, test } from 'vitest'
import { applyEnvDelta, envDelta, sameFlags } from '../src/shared/env.js'

describe('what a spawn request carries of its environment and flags', () => {
  test('flags are the same only in the same order', () => {
    expect(sameFlags(['--a', '--b'], ['--a', '--b'])).toBe(true)
    expect(sameFlags(['--b', '--a'], ['--a', '--b'])).toBe(false)
    expect(sameFlags(['--a'], ['--a', '--b'])).toBe(false)
  })

  test('an environment travels as its differences from the pool’s, and is rebuilt from them', () => {
    const base = { HOME: '/x', PATH: '/bin', GONE: '1' }
    const env = { HOME: '/y', PATH: '/bin', NEW: '2', GONE: undefined }
    const delta = envDelta(base, env)
    expect(delta).toEqual({ set: { HOME: '/y', NEW: '2' }, unset: ['GONE'] })
    expect(applyEnvDelta(base, delta)).toEqual({ HOME: '/y', PATH: '/bin', NEW: '2' })
  })
})
