/**
 * The root program's process hooks while a nursery is open: Ctrl-C and
 * SIGTERM cancel the whole tree, then exit 130 or 143; a root that runs out of
 * work with nurseries open is told so and they are closed (unclosed.ts).
 */

import { debug } from '../shared/log.js'
import { isActor, runtime } from '../shared/realm.js'
import { closeUnclosedNurseries } from './unclosed.js'

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const
type Handled = keyof typeof EXIT_CODES

let installed = false
let teardown: { readonly exiting: boolean } | undefined

function onSignal(signal: Handled): void {
  const nurseries = [...runtime().nurseries]
  const code = EXIT_CODES[signal]
  if (teardown) {
    // A second signal during teardown: no more politeness.
    debug(`${signal} again: killing every child now`)
    void Promise.all(nurseries.map((n) => n.kill())).then(() => {
      if (teardown?.exiting) process.exit(code)
    })
    return
  }
  // Exit only when nobody else listens: an application with its own handler decides for itself.
  const exiting = process.listenerCount(signal) === 1
  teardown = { exiting }
  debug(`${signal}: cancelling ${nurseries.length} nurseries`)
  void Promise.all(nurseries.map((n) => n.cancel())).then(() => {
    if (exiting) process.exit(code)
    teardown = undefined
    unwatchRoot()
  })
}

const onSigint = (): void => onSignal('SIGINT')
const onSigterm = (): void => onSignal('SIGTERM')

/** Install the root's hooks while a nursery is open. Actors handle signals in their runtime, and close their nurseries as they exit. */
export function watchRoot(): void {
  if (installed || isActor()) return
  installed = true
  process.on('SIGINT', onSigint)
  process.on('SIGTERM', onSigterm)
  process.on('beforeExit', closeUnclosedNurseries)
}

/** Remove the hooks once no nursery is open, so harrow leaves no trace in a larger app. */
export function unwatchRoot(): void {
  if (!installed || teardown || runtime().nurseries.size > 0) return
  installed = false
  process.off('SIGINT', onSigint)
  process.off('SIGTERM', onSigterm)
  process.off('beforeExit', closeUnclosedNurseries)
}

/**
 * While a signal teardown that ends in `process.exit` runs, what a nursery
 * would throw is only noise: this never settles then, so nothing is printed
 * before the exit. Otherwise it resolves at once.
 */
export function teardownGate(): Promise<void> {
  return teardown?.exiting ? new Promise<void>(() => {}) : Promise.resolve()
}
