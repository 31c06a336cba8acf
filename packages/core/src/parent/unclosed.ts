/**
 * A root that runs out of work with nurseries still open: say which, then
 * close them, so the program ends as it would have with `await using`.
 * Idle actors do not hold the event loop (see keep-alive.ts), so Node reaches
 * `beforeExit` exactly when nothing but forgotten nurseries is left.
 */

import { warn } from '../shared/log.js'
import { isActor, runtime } from '../shared/realm.js'

let installed = false

function onBeforeExit(): void {
  const open = [...runtime().nurseries]
  if (open.length === 0) return
  for (const nursery of open) {
    warn(
      `${nursery.describe()} was still open when nothing else kept the program alive: closing it now. ` +
        'Close nurseries with `await using`, withNursery(), or `await nursery.close()` in a finally.',
    )
    // What closing throws (an actor's failure) is the program's error: it reaches the unhandled-rejection handler.
    void nursery.close()
  }
}

/** Watch for a root ending with open nurseries while one is open (actors close theirs when they exit). */
export function watchUnclosedNurseries(): void {
  if (installed || isActor()) return
  installed = true
  process.on('beforeExit', onBeforeExit)
}

/** Stop watching once no nursery is open, so harrow leaves no trace in a larger app. */
export function unwatchUnclosedNurseries(): void {
  if (!installed || runtime().nurseries.size > 0) return
  installed = false
  process.off('beforeExit', onBeforeExit)
}
