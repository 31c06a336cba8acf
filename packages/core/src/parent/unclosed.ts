/**
 * A root that runs out of work with nurseries still open: say which, then
 * close them, so the program ends as it would have with `await using`.
 * Idle actors do not hold the event loop (see keep-alive.ts), so Node reaches
 * `beforeExit` exactly when nothing but forgotten nurseries is left.
 */

import { warn } from '../shared/log.js'
import { runtime } from '../shared/realm.js'

/** The root's `beforeExit` handler (installed by signals.ts while a nursery is open). */
export function closeUnclosedNurseries(): void {
  for (const nursery of runtime().nurseries) {
    warn(
      `${nursery.describe()} was still open when nothing else kept the program alive: closing it now. ` +
        'Close nurseries with `await using`, withNursery(), or `await nursery.close()` in a finally.',
    )
    // What closing throws (an actor's failure) is the program's error: it reaches the unhandled-rejection handler.
    void nursery.close()
  }
}
