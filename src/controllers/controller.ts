import type { LoadFeedback } from '../feedback.ts'

/** An inclusive integer range. */
export interface Bounds {
  /** Lowest value, >= 1. */
  readonly min: number
  /** Highest value, >= min. */
  readonly max: number
}

/** What a controller steers: the batch size cut next, and how many flushes run at once. */
export interface ControlTarget {
  /** Items per batch, within `bounds.size`. */
  readonly batchSize: number
  /** Flushes in flight at once, within `bounds.concurrency`. */
  readonly concurrency: number
}

/** One observation of the backend: a flush's outcome or a feedback from `feedback$`/`FEEDBACK`. */
export interface FeedbackSample {
  /** Scheduler time of the observation, in ms. */
  readonly at: number
  /** The sanitized feedback (a flush's own latency fills `latencyMs` when it reported none). */
  readonly feedback: LoadFeedback
  /** `scoreLoad(feedback)` with the controller's weights, 0..1. */
  readonly score: number
  /** Where it came from: a flush's outcome or an outside monitor. */
  readonly source: 'flush' | 'monitor'
  /** For a flush: true when it threw, rejected, timed out or partly failed. */
  readonly failed: boolean
  /** For a flush: how many items it carried (0 for a monitor sample). */
  readonly batchSize: number
  /** Running number of the sample within its batcher (1, 2, …): tells new samples from ones already seen. */
  readonly seq?: number
  /** For a flush: how long this attempt took, in ms, timed on its own (a retry is a new attempt). */
  readonly durationMs?: number
  /** For a flush: attempts running when this attempt started, itself included (a batch waiting out a retry backoff runs none). */
  readonly inFlight?: number
  /** For a flush: items left waiting in the buffer when it settled (a backlog says the batcher is behind). */
  readonly backlog?: number
  /** For a flush: 1 for a batch's first attempt, 2 for its first retry, … */
  readonly attempt?: number
  /** For a flush: why its batch was cut ('time' means the batch was partial when cut). */
  readonly trigger?: 'size' | 'weight' | 'time' | 'manual' | 'drain'
  /** For a failed flush: what kind of failure it was (see `ErrorKind`); undefined for a success. */
  readonly errorKind?: ErrorKind
}

/**
 * What a flush failure means for the controller: `overload` (the backend is overrun: shrink),
 * `timeout` (the attempt outlived `flushTimeoutMs`: overload too), `tooLarge` (the batch was too
 * big for the sink: the batch is split and the ceiling lowered, not an overload), `badItem` (one
 * item is poison: not a load signal), `fatal` (no retry helps: not a load signal).
 */
export type ErrorKind = 'overload' | 'timeout' | 'tooLarge' | 'badItem' | 'fatal'

/** Why a controller chose its target: shown in logs, reports and `target.changed` events. */
export interface DecisionReason {
  /** The rule that fired, a short stable name (e.g. `grow`, `overload`, `settled`). */
  readonly rule: string
  /** The target before the decision. */
  readonly from: ControlTarget
  /** The target after the decision (before the batcher clamps it; bounds hold anyway). */
  readonly to: ControlTarget
  /** The figures the rule read (e.g. `{ latencyMs: 42, goodput: 1800 }`), for people to check it. */
  readonly inputs: Readonly<Record<string, number>>
  /** One sentence for a person: what was seen and what was done. */
  readonly text: string
}

/** What a controller is given each time the batcher adjusts. */
export interface ControllerInput {
  /** The target in force now. */
  readonly target: ControlTarget
  /** The latest samples, oldest first (at most the batcher's window, 10 by default), at least one. */
  readonly samples: readonly FeedbackSample[]
  /** Bounds the result must keep; the batcher clamps to them too. */
  readonly bounds: { readonly size: Bounds; readonly concurrency: Bounds }
  /** Scheduler time now, in ms. */
  readonly now: number
  /** How long the oldest attempt still running has run, in ms; absent when none runs. */
  readonly oldestAttemptMs?: number
}

/** A controller's answer: the next target and its own memory for the next call. */
export interface ControllerDecision<S> extends ControlTarget {
  /** Whatever the controller keeps between calls (e.g. a long-term latency average). */
  readonly state: S
  /** Why: the rule, its inputs, and old → new. Optional for controllers written before it. */
  readonly reason?: DecisionReason
}

/**
 * A policy that turns feedback into the next batch size and concurrency. Pure: the same
 * input and state always give the same decision; memory lives in `state`, not in closures,
 * so a controller can be property-tested and replayed. Implement it to bring your own.
 *
 * @example
 * const halveOnErrors: Controller<null> = {
 *   name: 'halveOnErrors', intervalMs: 1000, initialState: () => null,
 *   decide: ({ target, samples }) => ({
 *     ...target, state: null,
 *     batchSize: samples.some((s) => s.failed) ? target.batchSize / 2 : target.batchSize + 1,
 *   }),
 * }
 */
export interface Controller<S = unknown> {
  /** Shown in metrics, logs and reports. */
  readonly name: string
  /** How often the batcher adjusts, in ms, when fresh feedback arrived since the last time. */
  readonly intervalMs: number
  /**
   * Optional: the longest a partial batch waits for more items, in ms, when that is shorter
   * than the batcher's `maxWaitMs`. 0 makes the batcher work-conserving (Triton's dynamic
   * batcher): whatever waits goes as soon as a flush slot is free, up to the target size.
   */
  readonly waitMs?: number
  /**
   * Optional: how long an attempt may run, in ms, before the controller wants to decide
   * without waiting for it to end (a stall); undefined for no limit yet. The batcher then
   * calls `decide` with `oldestAttemptMs`, once at this age and again at each doubling of it.
   */
  overdueMs?(state: S): number | undefined
  /**
   * Optional: how long an attempt of `items` items may run, in ms, before the batcher aborts it
   * (its `info.signal`) and retries it, as past `flushTimeoutMs` but without using up one of
   * `retry.attempts`; each time it cuts the same batch short the limit doubles, and once it
   * reaches `flushTimeoutMs` that alone applies. Undefined: `flushTimeoutMs` alone. The batcher
   * asks when the attempt starts and again after each decision, with the attempt's start
   * (scheduler ms): an attempt already past a lowered limit is cut short then.
   */
  attemptTimeoutMs?(state: S, items: number, startedAt: number): number | undefined
  /** The memory for the first call. */
  initialState(): S
  /** The next target from the current one and the latest samples. */
  decide(input: ControllerInput, state: S): ControllerDecision<S>
  /**
   * Optional: the load score of one (sanitized) feedback with this controller's own weighting,
   * 0..1. When present the batcher records each sample's `score` with it; when absent it uses
   * `scoreLoad(feedback)` with the default weights.
   */
  score?(feedback: LoadFeedback): number
}

/**
 * A decision that carries its reason: `rule` fired on `inputs` (figures that are undefined or
 * not finite are left out) and moved the target `from` → `to`; `text` says so for a person.
 */
export function explained<S>(from: ControlTarget, to: ControlTarget, state: S, rule: string, inputs: Readonly<Record<string, number | undefined>>, text: string): ControllerDecision<S> {
  const target = { batchSize: to.batchSize, concurrency: to.concurrency }
  return { ...target, state, reason: { rule, from: { batchSize: from.batchSize, concurrency: from.concurrency }, to: target, inputs: reasonInputs(inputs), text } }
}

/** The figures of a reason: finite ones only (undefined, NaN and infinities left out), to 4 significant digits. */
export function reasonInputs(inputs: Readonly<Record<string, number | undefined>>): Record<string, number> {
  const figures: Record<string, number> = {}
  for (const [name, value] of Object.entries(inputs)) if (value !== undefined && Number.isFinite(value)) figures[name] = +value.toPrecision(4)
  return figures
}

/** Rounds and clamps `value` into `bounds` (NaN goes to `min`). */
export function clampTo(value: number, bounds: Bounds): number {
  if (!Number.isFinite(value)) return value === Infinity ? bounds.max : bounds.min
  return Math.min(bounds.max, Math.max(bounds.min, Math.round(value)))
}
