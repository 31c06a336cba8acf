// A deliberately wedged test: the watchdog must end it with a message naming it, and the run must go on.
import { test } from 'vitest'

test('wedges its event loop', { timeout: 500 }, () => {
  for (;;) {
    // a synchronous infinite loop: no timer of this loop will ever fire again
  }
})
