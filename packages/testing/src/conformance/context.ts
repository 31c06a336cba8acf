/** What every part of the conformance suite is given. */

import type { SpawnMethodKey } from '@harrow/core'

/** Differences a backend declares honestly instead of skipping in silence. */
export interface BackendCapabilities {
  /**
   * Actors are OS processes with pids of their own: orphan and signal tests
   * apply. A thread backend sets this to `false`. @default true
   */
  readonly processes?: boolean
  /**
   * The backend works for any local user. A backend whose set-up belongs to
   * the user running the tests (the 'ssh' project's loopback sshd: its
   * client key and config are that user's) sets this to `false`, and tests
   * that drop to another user are reported as skipped. @default true
   */
  readonly otherUsers?: boolean
}

/** Options of {@link defineConformanceSuite}. */
export interface ConformanceOptions {
  /** What the backend honestly cannot do; the tests that need it are reported as skipped. */
  readonly capabilities?: BackendCapabilities
}

/** @internal */
export interface SuiteContext {
  readonly key: SpawnMethodKey
  readonly capabilities: Required<BackendCapabilities>
}
