/**
 * What the parent and a worker actor's thread tell each other outside the
 * actor channel: the thread's `workerData`, and a spare's hand-out. Shared by
 * both sides, so the thread loads none of the parent's launch code.
 */

import type { MessagePort } from 'node:worker_threads'

/** What the child entry receives as `workerData`. @internal */
export interface ChildData {
  /** The actor's end of its channel. */
  readonly port: MessagePort
  readonly maxFrameSize: number
  /** The actor's name, for diagnostics before the spawn spec arrives. */
  readonly name: string
  /** `tsx/esm/api` to register in the thread, when `execArgv` loads tsx. */
  readonly tsxApi?: string
  /**
   * True for a spare: its runtime starts at once but receives nothing until
   * its {@link SpareHandout} arrives on `parentPort`; it posts
   * {@link SPARE_WAITING} there once it is ready.
   */
  readonly spare?: boolean
  /** Where the thread turns Node's module compile cache on, when it is started at `cached-child.js`. */
  readonly compileCache?: string
}

/** What a spare posts on `parentPort` once it waits to be handed out. @internal */
export const SPARE_WAITING = 'harrow:spare-waiting'

/** What a spare receives on `parentPort` when a spawn takes it. @internal */
export interface SpareHandout {
  readonly harrow: 'handout'
  /** The actor's environment: the thread's `process.env` becomes exactly this. */
  readonly env: Readonly<Record<string, string>>
}

/** Whether `message` is a {@link SpareHandout} (a preload of the user's may post on `parentPort` too). @internal */
export function isSpareHandout(message: unknown): message is SpareHandout {
  return typeof message === 'object' && message !== null && (message as SpareHandout).harrow === 'handout' && typeof (message as SpareHandout).env === 'object'
}
