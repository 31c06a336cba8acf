import { describe, expect, test } from 'vitest'
import { currentActor, liveActors, rehearseProtocol } from '../src/index.js'

describe('rehearseProtocol', () => {
  test('runs every message of a spawn and its first call through the codec and the checks, and changes no state', () => {
    const self = currentActor()
    const live = liveActors()
    // Its sample messages must pass the same checks real ones do: a protocol change that breaks them throws here.
    expect(() => rehearseProtocol()).not.toThrow()
    rehearseProtocol()
    expect(currentActor()).toEqual(self)
    expect(liveActors()).toEqual(live)
  })
})
