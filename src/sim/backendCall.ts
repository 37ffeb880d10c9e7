/** A call to the simulated backend while it runs, and its outcome once it ended. */

import type { LoadFeedback } from '../feedback.ts'

/** How one call went, once it ended: see {@link BackendCall.result}. */
export interface BackendCallResult {
  /** How long the call took, in ms, from its start to its end. */
  readonly latencyMs: number
  /** When the call ended: its start + `latencyMs`. */
  readonly endMs: number
  /** True when every item succeeded. */
  readonly ok: boolean
  /**
   * Set only when items failed one by one (`failureMode: 'items'`): the indexes, within the
   * batch, of the items that failed, ascending (possibly all). `ok: false` without it
   * (`failureMode: 'batch'`) means the whole call failed.
   */
  readonly failedIndexes?: readonly number[]
  /** Mean utilisation over the call's life, counting its own items (above 1: overrun). */
  readonly utilisation: number
  /** What the backend reports after this call, as a flush function would return it. */
  readonly feedback: LoadFeedback
}

/**
 * A call the backend is serving, from {@link SimulatedBackend.call}. Which items fail is
 * decided when it starts; how long it takes is found as it runs, since its pace follows the
 * load on the backend until it ends.
 */
export interface BackendCall {
  /** Items it carries. */
  readonly batchSize: number
  /** When it started, in ms (the backend's clock then). */
  readonly startMs: number
  /** True when every item will succeed. */
  readonly ok: boolean
  /** The failed items' indexes, as in {@link BackendCallResult.failedIndexes}. */
  readonly failedIndexes?: readonly number[]
  /** Utilisation when it started, counting its own items. */
  readonly utilisation: number
  /** Its outcome once the backend's clock passed its end; undefined while it runs. */
  result(): BackendCallResult | undefined
}
