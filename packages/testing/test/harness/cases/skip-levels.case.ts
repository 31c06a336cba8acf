// describe-level and test-level skips, beside tests that do run.
import { skipOnSpawnBackend } from '@harrow/testing'
import { describe, expect, test } from 'vitest'

describe('skipped suite', () => {
  skipOnSpawnBackend('process', { reason: 'describe-level skip' })
  test('inside a skipped describe', () => {
    throw new Error('should have been skipped')
  })
})

describe('running suite', () => {
  skipOnSpawnBackend('forkserver', { reason: 'only skipped elsewhere' })
  test('runs on process', () => {
    expect(1).toBe(1)
  })
})

test('skipped inside its body', () => {
  skipOnSpawnBackend('process', { reason: 'test-level skip' })
  throw new Error('should have been skipped')
})

test('a typo in a key is an error', () => {
  expect(() => skipOnSpawnBackend('proces' as 'process')).toThrow(/'proces' is not a spawn method/)
})
