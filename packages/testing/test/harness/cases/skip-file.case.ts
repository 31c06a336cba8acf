// File-level skip: every test of this file is skipped on 'process'.
import { skipOnSpawnBackend } from '@harrow/testing'
import { test } from 'vitest'

skipOnSpawnBackend('process', { reason: 'file-level skip' })

test('would fail on process', () => {
  throw new Error('should have been skipped')
})
