import { describe, expect, test } from 'vitest'
import { rehearseProtocol } from '../src/child.js'

describe('rehearseProtocol', () => {
  test('its messages, every kind a spawn and its first call exchange, pass the same checks real ones do', () => {
    // A protocol change that its sample messages no longer satisfy throws here, instead of in a warm child.
    expect(() => rehearseProtocol()).not.toThrow()
  })
})
