/**
 * Supervision: a service actor crashes on every third request; a supervisor
 * restarts it with back-off and gives up after two restarts. A client sends
 * requests through the supervisor and retries once when one fails.
 * Run it with `pnpm --filter @harrow/example-supervisor start`.
 */

import '@harrow/spawn-process' // registers spawn method 'process', the default
import { isHarrowError, ref } from '@harrow/core'
import { Supervisor } from './supervisor.ts'

const service = new URL('./service.ts', import.meta.url)

console.log(`supervisor: a service that crashes on every 3rd request, restarted at most twice (root pid ${process.pid})\n`)

const supervisor = new Supervisor('greeter', {
  actor: { enableModules: [service], env: { CRASH_AFTER: '3' } },
  lifetime: ref(service, 'lifetime'),
  maxRestarts: 2,
  backoff: 100,
  log: (line) => console.log(`  ${line}`),
})
// Observed now, awaited at the end: it rejects once the supervisor gives up.
const outcome = supervisor.done.then(
  () => 'the supervisor was stopped',
  (error: unknown) => (error as Error).message,
)

requests: for (let i = 1; i <= 8; i++) {
  const request = `request-${i}`
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      console.log(`client: ${await supervisor.call<string>(ref(service, 'handle'), [request])}`)
      break
    } catch (error) {
      // A crash reaches the caller as the actor's ActorFailure (exit code 1): retry once, on the next incarnation.
      if (isHarrowError(error)) {
        console.log(`client: '${request}' failed (attempt ${attempt}): ${error.name}: ${error.message}`)
        continue
      }
      // The supervisor gave up: no point in retrying.
      console.log(`client: '${request}' failed (attempt ${attempt}): ${(error as Error).message}; the client stops`)
      break requests
    }
  }
}

await supervisor.stop()
console.log(`\n${await outcome}; every incarnation was reaped`)
