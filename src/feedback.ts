/**
 * Load feedback: what a backend reports about how it copes, and the weighted load score
 * the controllers act on.
 */
import type { CustomMetric, LoadFeedback } from '../machines/feedback.types.ts'

export type { CustomMetric, LoadFeedback } from '../machines/feedback.types.ts'

/** Weights of the load score's parts; a missing part has weight 0 where the feedback lacks it. */
export interface LoadWeights {
  /** Weight of `cpu` (default 0.4). */
  readonly cpu?: number
  /** Weight of `errorRate` (default 0.3). */
  readonly errorRate?: number
  /** Weight of `queueDepth / queueCapacity` (default 0.2). */
  readonly queueDepth?: number
  /** Weight of `locks / locksCapacity` (default 0.1). */
  readonly locks?: number
}

/** Options of {@link scoreLoad}. */
export interface ScoreOptions {
  /** Weights of the parts (defaults: cpu .4, errorRate .3, queueDepth .2, locks .1). */
  readonly weights?: LoadWeights
  /** Divides `queueDepth` when the feedback has no `queueCapacity` (default 100). */
  readonly queueCapacity?: number
  /** Divides `locks` (default 50). */
  readonly locksCapacity?: number
}

/** The default weights of the load score. */
export const DEFAULT_WEIGHTS = { cpu: 0.4, errorRate: 0.3, queueDepth: 0.2, locks: 0.1 } as const

/** Feedback after {@link sanitizeFeedback}, with how many values were clamped or dropped. */
export interface SanitizedFeedback {
  /** The feedback with every value finite and in range. */
  readonly feedback: LoadFeedback
  /** How many values were out of range (clamped) or not numbers (dropped). */
  readonly rejected: number
}

/**
 * Clamps every value of `input` into its range and drops the ones that are not finite
 * numbers. Never throws, whatever it is given (`null`, a string, an object whose getters
 * throw: that counts as one rejected sample).
 */
export function sanitizeFeedback(input: unknown): SanitizedFeedback {
  try {
    return sanitizeFields(input)
  } catch {
    // A getter that throws, a revoked Proxy, …: the whole sample is unusable, and counted.
    return { feedback: {}, rejected: 1 }
  }
}

function sanitizeFields(input: unknown): SanitizedFeedback {
  if (typeof input !== 'object' || input === null) return { feedback: {}, rejected: 1 }
  const raw = input as Record<string, unknown>
  const out: Record<string, unknown> = {}
  let rejected = 0
  const take = (key: keyof LoadFeedback, min: number, max: number) => {
    const value = raw[key]
    if (value === undefined) return
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      rejected++
      return
    }
    const clamped = Math.min(max, Math.max(min, value))
    if (clamped !== value) rejected++
    out[key] = clamped
  }
  take('cpu', 0, 1)
  take('errorRate', 0, 1)
  take('queueDepth', 0, Infinity)
  take('locks', 0, Infinity)
  take('latencyMs', 0, Infinity)
  if (raw.queueCapacity !== undefined) {
    const c = raw.queueCapacity
    if (typeof c === 'number' && Number.isFinite(c) && c > 0) out.queueCapacity = c
    else rejected++
  }
  if (raw.custom !== undefined) {
    if (typeof raw.custom !== 'object' || raw.custom === null) rejected++
    else {
      const custom: Record<string, CustomMetric> = {}
      for (const [name, metric] of Object.entries(raw.custom as Record<string, unknown>)) {
        const m = metric as { value?: unknown; weight?: unknown } | null
        if (
          typeof m !== 'object' || m === null ||
          typeof m.value !== 'number' || !Number.isFinite(m.value) ||
          typeof m.weight !== 'number' || !Number.isFinite(m.weight) || m.weight < 0
        ) {
          rejected++
          continue
        }
        const value = Math.min(1, Math.max(0, m.value))
        if (value !== m.value) rejected++
        custom[name] = { value, weight: m.weight }
      }
      out.custom = custom
    }
  }
  return { feedback: out as LoadFeedback, rejected }
}

/**
 * The weighted load score of `feedback`, 0 (idle) .. 1 (overrun), capped at 1.
 *
 * `cpu × .4 + errorRate × .3 + min(queueDepth / queueCapacity, 1) × .2 +
 * min(locks / locksCapacity, 1) × .1 + Σ custom value × weight` with the default weights;
 * a part the feedback does not report counts as 0. Expects sanitized feedback (see
 * {@link sanitizeFeedback}); non-finite parts count as 0.
 *
 * @example scoreLoad({ cpu: 0.5, errorRate: 0.1 }) // 0.2 + 0.03 = 0.23
 */
export function scoreLoad(feedback: LoadFeedback, options: ScoreOptions = {}): number {
  const w = options.weights ?? DEFAULT_WEIGHTS
  const queueCapacity = feedback.queueCapacity ?? options.queueCapacity ?? 100
  const locksCapacity = options.locksCapacity ?? 50
  let score =
    part(feedback.cpu) * (w.cpu ?? 0) +
    part(feedback.errorRate) * (w.errorRate ?? 0) +
    ratio(feedback.queueDepth, queueCapacity) * (w.queueDepth ?? 0) +
    ratio(feedback.locks, locksCapacity) * (w.locks ?? 0)
  if (feedback.custom) {
    for (const name in feedback.custom) {
      const metric = feedback.custom[name]!
      score += part(metric.value) * metric.weight
    }
  }
  return Math.min(1, Math.max(0, score))
}

function part(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0
}

function ratio(value: number | undefined, capacity: number): number {
  return value !== undefined && Number.isFinite(value) && capacity > 0 ? Math.min(1, Math.max(0, value / capacity)) : 0
}
