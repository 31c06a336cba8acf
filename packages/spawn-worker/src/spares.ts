/**
 * Spare threads: worker actors started ahead of need, with harrow's runtime loaded, waiting to be handed out. A spawn
 * with the same flags, resource limits and frame limit as a spare, and the same values of the variables read at start
 * (`@harrow/core/env`), takes it instead of starting a thread, which skips Node's thread start-up and the loading of
 * harrow's runtime: most of a worker spawn. The spare's environment is set to the actor's when it is handed out.
 */

import { within } from '@harrow/core/backend'
import { SPARE_WAITING, type SpareHandout } from './child-data.js'
import { canServe, defaultShape, launchThread, type LaunchedThread, type ThreadShape } from './launch.js'

interface Spare extends LaunchedThread {
  /** What it was started with: the parent's environment and flags at the time. */
  readonly shape: ThreadShape
  /** Settles once the thread waits to be handed out, or has exited. */
  readonly booted: Promise<void>
  isBooted: boolean
  /** Ended on purpose (stopped, or outdated): its exit is not a failure. */
  retired?: boolean
}

/** What {@link workerSpares} reports of one spare. */
export interface WorkerSpareInfo {
  /** The spare's thread id: the `threadId` of the actor that takes it. */
  readonly threadId: number
  /** True once it waits to be handed out; a spare still booting is taken as well. */
  readonly booted: boolean
}

/** The environment variable that sets how many spares to keep from the first spawn on, when no call said. */
export const WORKER_SPARES_ENV = 'HARROW_WORKER_SPARES'

const spares = new Set<Spare>()
let wanted = 0
/** Whether {@link wanted} was set, by a call or from {@link WORKER_SPARES_ENV}. */
let configured = false
let refillScheduled = false

function wantedFromEnvironment(): number {
  const value = process.env[WORKER_SPARES_ENV]
  if (value === undefined || value === '') return 0
  const count = Number(value)
  if (Number.isSafeInteger(count) && count >= 0) return count
  process.emitWarning(`@harrow/spawn-worker: ${WORKER_SPARES_ENV}=${value} is not a whole number, 0 or more: no spare threads`, {
    code: 'HARROW_WORKER_SPARES',
  })
  return 0
}

function launchSpare(): void {
  const thread = launchThread(defaultShape(), 'spare', true)
  let settle!: () => void
  // The default shape again: launching may have learnt flags Node refuses and the process has anyway (left out now).
  const spare: Spare = { ...thread, shape: defaultShape(), booted: new Promise((resolve) => (settle = resolve)), isBooted: false }
  const onMessage = (message: unknown): void => {
    if (message !== SPARE_WAITING) return
    thread.worker.off('message', onMessage)
    spare.isBooted = true
    settle()
  }
  thread.worker.on('message', onMessage)
  // After the listener, which refs the Worker's port: a spare is not an actor yet and must not keep the process alive.
  thread.worker.unref()
  void thread.proc.wait().then((exit) => {
    settle()
    // Once handed out, the port is the actor's channel: what it posted last is still to be read.
    if (!spares.delete(spare)) return
    thread.port.close()
    if (spare.retired) return
    // Died idle. One that had booted is replaced; one that could not boot is reported, not started again and again.
    if (spare.isBooted) scheduleRefill()
    else
      process.emitWarning(
        `@harrow/spawn-worker: a spare thread ended before it was ready (exit code ${String(exit.code)}${exit.error ? `: ${exit.error.message}` : ''})`,
        { code: 'HARROW_WORKER_SPARES' },
      )
  })
  spares.add(spare)
}

/** How long a retired spare that is still booting gets to finish before it is terminated anyway, in ms. */
const RETIRE_BOOT_BOUND = 5000

function retire(spare: Spare): void {
  spare.retired = true
  spares.delete(spare)
  // A thread terminated while it evaluates its entry modules can abort the whole process on Node 20 (a failed V8 check
  // in async module evaluation, seen ending a test run): a spare still booting is ended once it has booted.
  void within(spare.booted, RETIRE_BOOT_BOUND).then(() => {
    spare.port.close()
    spare.proc.terminate()
  })
}

/** Retire spares that could not serve a spawn with default options now (a variable read at start changed), then top up. */
function refill(): void {
  refillScheduled = false
  const shape = defaultShape()
  for (const spare of spares) if (!canServe(spare.shape, shape) || spares.size > wanted) retire(spare)
  while (spares.size < wanted) launchSpare()
}

function scheduleRefill(): void {
  if (refillScheduled || wanted === 0) return
  refillScheduled = true
  // After the spawn that took a spare has started its own work.
  setImmediate(() => {
    try {
      refill()
    } catch (error) {
      // Node refused the process's own flags for a thread: spawns start threads as before, and say why when they fail.
      wanted = 0
      process.emitWarning(`@harrow/spawn-worker: cannot start spare threads: ${(error as Error).message}`, { code: 'HARROW_WORKER_SPARES' })
    }
  })
}

/**
 * The spare for a spawn of `shape`, when there is one: it is then the
 * caller's, and a replacement starts in the background.
 * @internal
 */
export function takeSpare(shape: ThreadShape): LaunchedThread | undefined {
  if (!configured) {
    configured = true
    wanted = wantedFromEnvironment()
  }
  let found: Spare | undefined
  for (const spare of spares) {
    if (!canServe(spare.shape, shape)) continue
    found = spare
    if (spare.isBooted) break
  }
  if (found) {
    spares.delete(found)
    found.worker.ref()
    const handout: SpareHandout = { harrow: 'handout', env: shape.env }
    found.worker.postMessage(handout)
  }
  scheduleRefill()
  return found
}

/**
 * Keep `count` worker threads started ahead of need. Each boots harrow's
 * runtime and waits; a `'worker'` spawn with the spares' thread options (the
 * parent's `execArgv` when they started, no `backend.resourceLimits`, the
 * default `maxFrameSize`) takes one and starts in a few milliseconds instead
 * of a thread's start-up, and a replacement starts in the background. The
 * actor's environment is set on the spare when it is handed out, unless it
 * differs from the spare's in a variable read only at start (`NODE_*`,
 * `HARROW_LOG`, ...: see `@harrow/core/env`), which makes the spawn start a
 * thread of its own; spares that no longer match the parent's own
 * environment that way are replaced. With flags that run modules before the
 * thread's entry (`--import`, `--require`, a loader), a spare serves only its
 * own environment. A spare is not an actor: it does not keep the process
 * alive (except the spares this call waits for, while it is pending), and it
 * ends with the process or with {@link stopWorkerSpares}. Calling it again
 * changes the count.
 * Without a call, `HARROW_WORKER_SPARES=n` in the environment keeps `n`
 * spares from the first `'worker'` spawn on.
 * @param count how many spares to keep. @default 1
 * @returns resolves once each spare waits for a spawn (or has ended: one that
 *   cannot boot is reported with a process warning, `HARROW_WORKER_SPARES`).
 * @throws RangeError when `count` is not a whole number, 0 or more.
 * @throws WorkerOptionError when Node refuses the process's flags for a thread.
 */
export async function startWorkerSpares(count = 1): Promise<void> {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`startWorkerSpares: count must be a whole number, 0 or more (got ${String(count)})`)
  wanted = count
  configured = true
  try {
    refill()
  } catch (error) {
    // Node refused the process's flags for a thread: no spares, rather than a failed refill after every spawn.
    wanted = 0
    throw error
  }
  // Awaited, the spares still booting keep the process alive (a spare alone does not), so that the await can end.
  const booting = [...spares].filter((spare) => !spare.isBooted)
  for (const spare of booting) spare.worker.ref()
  try {
    await Promise.all(booting.map((spare) => spare.booted))
  } finally {
    for (const spare of booting) if (spares.has(spare)) spare.worker.unref()
  }
}

/**
 * Stop keeping spares and end those there are. Actors that took one are not
 * affected.
 * @returns resolves once their threads have exited.
 */
export async function stopWorkerSpares(): Promise<void> {
  wanted = 0
  configured = true
  await endSpares()
}

/**
 * End the spares, and consult {@link WORKER_SPARES_ENV} again at the next
 * spawn: the backend's `shutdown`, which test harnesses call between files.
 * @internal
 */
export async function shutdownSpares(): Promise<void> {
  wanted = 0
  configured = false
  await endSpares()
}

async function endSpares(): Promise<void> {
  const all = [...spares]
  for (const spare of all) retire(spare)
  await Promise.all(all.map((spare) => spare.proc.wait()))
}

/** The spares there are now. */
export function workerSpares(): WorkerSpareInfo[] {
  return [...spares].map((spare) => ({ threadId: spare.worker.threadId, booted: spare.isBooted }))
}
