// The only test file of a project whose backend is unavailable: it reports the backend as skipped, with the reason.
import { inject, test } from 'vitest'

test.skip(`spawn method unavailable: ${inject('harrowUnavailable')}`, () => {})
