/** Conformance: under sustained concurrent load every request is answered exactly once. */

import { describe, expect, test } from 'vitest'
import { runLoad } from '../load.js'
import type { SuiteContext } from './context.js'

/** Seconds of load per backend in CI; `pnpm soak` runs a minute with 200 actors. */
const SECONDS = Number(process.env.HARROW_LOAD_SECONDS ?? 3)

export function loadTests({ key }: SuiteContext): void {
  describe('load', () => {
    test(`10 actors serving 8 concurrent calls each for ${SECONDS} s answer every request exactly once`, { timeout: SECONDS * 1000 + 60_000 }, async () => {
      const report = await runLoad({ backends: [key], actors: 10, duration: SECONDS * 1000 })
      expect(report.requests).toBeGreaterThan(0)
      expect(report).toMatchObject({ wrongAnswers: 0, duplicates: 0, unserved: 0 })
    })
  })
}
