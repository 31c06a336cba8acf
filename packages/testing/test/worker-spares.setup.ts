// Setup of the 'worker-spares' project: the conformance suite again on 'worker' with HARROW_WORKER_SPARES set. It
// fails the file if no spare thread was ever started, so that the project cannot quietly run on cold threads only.
import { workerSpares } from '@harrow/spawn-worker'
import { afterAll, afterEach } from 'vitest'

let sawSpares = false

afterEach(async () => {
  if ((await workerSpares()).length > 0) sawSpares = true
})

afterAll(() => {
  if (!sawSpares) throw new Error('worker-spares: HARROW_WORKER_SPARES is set but no spare thread was started in this file')
})
