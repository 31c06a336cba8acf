/** Lifecycle helpers every backend's children go through: boot-death detection, soft kill, hard kill, result collection. */

import { TIMED_OUT, aborted, within, withinGrace } from '../shared/async.js'
import type { ExitInfo, ProcHandle } from '../shared/contracts.js'
import { ActorCancelledError, ActorFailure, describeSystemError, type ActorId } from '../shared/errors.js'
import { warn } from '../shared/log.js'
import { outOfDescriptors } from '../shared/descriptors.js'

/** How long a child gets to exit after a cancel request before it is terminated, in ms. */
export const TERMINATE_AFTER = 1600

/** How long a child gets between SIGTERM (`terminate()`) and SIGKILL (`kill()`), in ms. */
export const KILL_GRACE = 250

/** How long a dead child's last messages (a boot error, its last result) may take to arrive after its exit, in ms. */
export const DRAIN_GRACE = 500

/** How long a SIGKILLed child may take to be reported as reaped before harrow gives up waiting, in ms. */
const REAP_BOUND = 5000

/** The part of a portal the lifecycle helpers use. */
export interface CancellablePortal {
  /** The actor behind the portal. */
  readonly actor: ActorId
  /** The actor's final result (a one-shot actor's main task). */
  result(): Promise<unknown>
  /** Ask the actor to cancel everything and exit; `true` once it acknowledged. */
  cancelActor(options?: { timeout?: number }): Promise<boolean>
}

/** Options of {@link hardKill}. */
export interface HardKillOptions {
  /** How long to wait for the child to exit by itself, in ms. @default 1600 */
  readonly terminateAfter?: number
}

/**
 * Wait up to `terminateAfter` ms for the child to exit, then `terminate()` it
 * (SIGTERM), then after {@link KILL_GRACE} ms `kill()` it (SIGKILL), and wait
 * until it is reaped. Never leaves a zombie; never rejects.
 */
export async function hardKill(proc: ProcHandle, { terminateAfter = TERMINATE_AFTER }: HardKillOptions = {}): Promise<ExitInfo> {
  if (proc.exit) return proc.exit
  const exited = await within(proc.wait(), terminateAfter)
  if (exited !== TIMED_OUT) return exited
  proc.terminate()
  const terminated = await within(proc.wait(), KILL_GRACE)
  if (terminated !== TIMED_OUT) return terminated
  proc.kill()
  const killed = await within(proc.wait(), REAP_BOUND)
  if (killed !== TIMED_OUT) return killed
  warn(`child ${proc.pid ?? proc.threadId ?? '?'} was killed but not reported as reaped within ${REAP_BOUND} ms`)
  return { code: null, signal: 'SIGKILL' }
}

/** Options of {@link softKill}. */
export interface SoftKillOptions extends HardKillOptions {
  /** When it aborts before the child exits by itself, the child is asked to cancel, then hard-killed. */
  readonly signal?: AbortSignal
}

/**
 * Wait for the child to exit by itself. If `signal` aborts first, send a
 * cancel request through the portal, racing the child's death, then fall
 * through to {@link hardKill} within the same `terminateAfter` budget.
 */
export async function softKill(
  proc: ProcHandle,
  portal: CancellablePortal,
  { signal, terminateAfter = TERMINATE_AFTER }: SoftKillOptions = {},
): Promise<ExitInfo> {
  const exit = proc.wait()
  if (!signal) return exit
  const first = await Promise.race([exit, aborted(signal, exit).then(() => undefined)])
  if (first) return first
  const started = performance.now()
  // A child that dies while we ask it to cancel needs no answer ("cancel the cancel").
  await Promise.race([portal.cancelActor({ timeout: terminateAfter }), exit])
  return hardKill(proc, { terminateAfter: Math.max(0, terminateAfter - (performance.now() - started)) })
}

/** A one-shot actor's final result, or what it failed with. */
type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown }

/** The one place a portal's final result is collected: {@link exhaustPortal} and {@link cancelOnCompletion} both wait here. */
function outcomeOf(portal: CancellablePortal): Promise<Outcome> {
  return portal.result().then(
    (value): Outcome => ({ ok: true, value }),
    (error: unknown): Outcome => ({ ok: false, error }),
  )
}

/** The final result of a one-shot actor, or what it failed with, as a value. Never rejects. */
export function exhaustPortal(portal: CancellablePortal): Promise<unknown> {
  return outcomeOf(portal).then((outcome) => (outcome.ok ? outcome.value : outcome.error))
}

/** Options of {@link cancelOnCompletion}. */
export interface CancelOnCompletionOptions {
  /** Stops the actor once its result is in. @default () => portal.cancelActor() */
  readonly cancel?: () => Promise<unknown>
  /** Told of each failure, once `errors` holds the actor's first (a nursery cancels its other children on it). */
  readonly onFailure?: (error: Error) => void
}

/**
 * Collect a one-shot actor's final result, recording a failure in `errors`
 * under the actor's uid (its first failure: one already there stays), then
 * ask the actor to cancel and exit. A cancellation is not a failure: it is
 * what cancelling the actor does. Never rejects unless `cancel` does.
 */
export async function cancelOnCompletion(
  portal: CancellablePortal,
  errors: Map<string, Error>,
  { cancel, onFailure }: CancelOnCompletionOptions = {},
): Promise<void> {
  // Not exhaustPortal: a result that is itself an Error must not count as a failure.
  const outcome = await outcomeOf(portal)
  if (!outcome.ok && !(outcome.error instanceof ActorCancelledError)) {
    const error = outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error))
    if (!errors.has(portal.actor.uid)) errors.set(portal.actor.uid, error)
    onFailure?.(error)
  }
  await (cancel ? cancel() : portal.cancelActor())
}

/**
 * `peer` (the child's handshake), raced against the child's death: a child
 * that dies first becomes an {@link ActorFailure} with `phase: 'boot'` and its
 * exit code, never a hang.
 */
export async function waitForPeerOrProcDeath<T>(peer: Promise<T>, proc: ProcHandle, actor: ActorId): Promise<T> {
  const death = proc.wait().then(async (exit): Promise<T> => {
    // What the child sent before dying (a boot error, say) says more than its exit code: let it arrive.
    const late = await withinGrace(
      peer.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
      DRAIN_GRACE,
    )
    if (late !== TIMED_OUT) {
      if (late.ok) return late.value
      throw late.error
    }
    const exhausted = outOfDescriptors()
    const cause = exit.error ?? exhausted
    const own = exit.error && (exhausted ? `its own error: ${exit.error.message}` : describeSystemError(exit.error))
    const reason = exhausted ? [describeSystemError(exhausted), ...(own ? [own] : [])].join('; ') : own
    throw new ActorFailure({
      actor,
      exitCode: exit.code,
      signal: exit.signal,
      phase: 'boot',
      ...(cause && reason ? { reason, cause } : {}),
    })
  })
  // Whichever loses the race must not surface as an unhandled rejection.
  death.catch(() => {})
  return Promise.race([peer, death])
}
