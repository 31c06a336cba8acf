import { describe, expect, test } from 'vitest'
import { definedEnv, isStartupVariable, replaceProcessEnv, startupEnvDifferences, startupEnvMatches } from '../src/env.js'

describe('which actors a warm child can serve', () => {
  test('variables read only at start are told from the rest', () => {
    for (const name of [
      'HARROW_LOG',
      'HARROW_COMPILE_CACHE',
      'NODE_OPTIONS',
      'NODE_PATH',
      'UV_THREADPOOL_SIZE',
      'LD_PRELOAD',
      'LANG',
      'LC_ALL',
      'OPENSSL_CONF',
      'SSL_CERT_FILE',
    ])
      expect(isStartupVariable(name), name).toBe(true)
    for (const name of ['HOME', 'PATH', 'TZ', 'DEBUG', 'FORCE_COLOR', 'MY_NODE_THING']) expect(isStartupVariable(name), name).toBe(false)
  })

  test('environments match when they agree on every startup variable, whatever else differs', () => {
    expect(startupEnvMatches({ NODE_OPTIONS: '--a', HOME: '/x' }, { NODE_OPTIONS: '--a', HOME: '/y', EXTRA: '1' })).toBe(true)
    expect(startupEnvMatches({ NODE_OPTIONS: '--a' }, {})).toBe(false)
    expect(startupEnvMatches({ NODE_OPTIONS: '--a' }, { NODE_OPTIONS: undefined })).toBe(false)
    expect(startupEnvDifferences({ NODE_OPTIONS: '--a', LANG: 'C' }, { LANG: 'de_DE' })).toEqual(['LANG', 'NODE_OPTIONS'])
    expect(definedEnv({ A: '1', B: undefined })).toEqual({ A: '1' })
  })

  test('replacing process.env sets, changes and removes variables', () => {
    const saved = { ...process.env }
    try {
      process.env.HARROW_CORE_GONE = 'x'
      replaceProcessEnv({ ...definedEnv(saved), HARROW_CORE_NEW: 'y' })
      expect(process.env.HARROW_CORE_NEW).toBe('y')
      expect(process.env.HARROW_CORE_GONE).toBeUndefined()
    } finally {
      replaceProcessEnv(definedEnv(saved))
    }
    expect(process.env).toEqual(saved)
  })
})
