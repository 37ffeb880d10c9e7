/** The feedback a backend reports, as the charts' `FEEDBACK` event carries it (re-exported by `src/feedback.ts`). */

/** A custom metric joining the load score: `value` in 0..1, weighed by `weight`. */
export interface CustomMetric {
  /** The metric's load, 0 (idle) .. 1 (saturated). */
  readonly value: number
  /** Its weight in the score, >= 0. */
  readonly weight: number
}

/**
 * How the backend copes, as a flush function returns it or a monitor emits it on `feedback$`.
 * Every field is optional. Non-finite or out-of-range values are clamped or ignored (and
 * counted in `metrics().feedbackRejected`), never a crash.
 */
export interface LoadFeedback {
  /** CPU use of the backend, 0..1. */
  readonly cpu?: number
  /** Share of failed operations, 0..1. */
  readonly errorRate?: number
  /** Items waiting in the backend's queue, >= 0. */
  readonly queueDepth?: number
  /** Capacity of that queue, used to normalise `queueDepth` (default 100). */
  readonly queueCapacity?: number
  /** Lock waits (or blocked sessions) at the backend, >= 0. */
  readonly locks?: number
  /** Latency of the last call, in ms, >= 0. */
  readonly latencyMs?: number
  /** Further metrics, each 0..1 with a weight. */
  readonly custom?: Readonly<Record<string, CustomMetric>>
}
