import { checkFinite, checkKeys } from '../checkOption.ts'
import { meanLatencyMs } from './window.ts'
import { clampTo, explained } from './controller.ts'
import type { Controller, FeedbackSample } from './controller.ts'

/** Options of {@link aimd}. */
export interface AimdOptions {
  /** Items added to the batch size per healthy adjustment (default 10). An integer >= 1. */
  readonly increase?: number
  /** Multiplier of the batch size on congestion, rounded down (default 0.5). Strictly between 0 and 1. */
  readonly decrease?: number
  /** A mean score above this is congestion (default 0.7). In 0..1. */
  readonly threshold?: number
  /**
   * Latency counts as rising, and so as congestion, when the window's mean latency exceeds
   * the previous adjustment's by more than this factor (default 1.5, i.e. +50%). >= 1.
   */
  readonly latencyTolerance?: number
  /** How often the batcher adjusts, in ms (default 1000). > 0. */
  readonly intervalMs?: number
}

/** What {@link aimd} remembers between adjustments. */
export interface AimdState {
  /** Mean latency of the last window that reported any, in ms; null before the first. */
  readonly lastLatencyMs: number | null
}

/**
 * Additive increase, multiplicative decrease (the TCP congestion rule). Each adjustment is
 * congested when a flush in the window failed, the mean score is above `threshold`, or the
 * mean latency rose by more than `latencyTolerance` since the previous adjustment; then the
 * size becomes `floor(size × decrease)`, otherwise `size + increase`. Clamped to the bounds.
 * It does not adapt concurrency (the default controller, `autoTune`, does).
 *
 * Edge cases: samples without a finite latency do not count towards it (a window with none
 * leaves the remembered latency alone and cannot be "rising"); NaN scores are skipped.
 *
 * @example createBatcher({ flush, size: { min: 10, max: 5000 }, controller: aimd({ increase: 50 }) })
 */
export function aimd(options: AimdOptions = {}): Controller<AimdState> {
  checkKeys('', options, ['increase', 'decrease', 'threshold', 'latencyTolerance', 'intervalMs'], 'aimd')
  const increase = checkFinite('increase', options.increase ?? 10, 'an integer >= 1', (v) => Number.isInteger(v) && v >= 1)
  const decrease = checkFinite('decrease', options.decrease ?? 0.5, 'a number > 0 and < 1', (v) => v > 0 && v < 1)
  const threshold = checkFinite('threshold', options.threshold ?? 0.7, 'a number in 0..1', (v) => v >= 0 && v <= 1)
  const latencyTolerance = checkFinite('latencyTolerance', options.latencyTolerance ?? 1.5, 'a number >= 1', (v) => v >= 1)
  const intervalMs = checkFinite('intervalMs', options.intervalMs ?? 1000, 'a number > 0', (v) => v > 0)

  return {
    name: 'aimd',
    intervalMs,
    initialState: () => ({ lastLatencyMs: null }),
    decide({ target, samples, bounds }, state) {
      const size = clampTo(target.batchSize, bounds.size)
      const latencyMs = meanLatencyMs(samples)
      const score = meanScore(samples)
      const rising = latencyMs !== undefined && state.lastLatencyMs !== null && latencyMs > state.lastLatencyMs * latencyTolerance
      const failures = samples.filter((sample) => sample.failed).length
      const overScore = score !== undefined && score > threshold
      const congested = rising || failures > 0 || overScore
      const next = { batchSize: clampTo(congested ? Math.floor(size * decrease) : size + increase, bounds.size), concurrency: clampTo(target.concurrency, bounds.concurrency) }
      const why = failures > 0 ? `${failures} failed flush(es)` : rising ? `latency rose past ${latencyTolerance}× the last` : overScore ? `load score over ${threshold}` : 'no congestion'
      const inputs = { latencyMs, lastLatencyMs: state.lastLatencyMs ?? undefined, score, failures }
      const text = `${why}: ${congested ? `× ${decrease}` : `+ ${increase}`}`
      return explained(target, next, { lastLatencyMs: latencyMs ?? state.lastLatencyMs }, congested ? 'multiplicative decrease' : 'additive increase', inputs, text)
    },
  }
}


/** Mean of the scores clamped to 0..1, NaN skipped; undefined when none. */
function meanScore(samples: readonly FeedbackSample[]): number | undefined {
  const scores = samples.map((sample) => sample.score).filter((score) => !Number.isNaN(score))
  if (scores.length === 0) return undefined
  return scores.reduce((sum, score) => sum + Math.min(1, Math.max(0, score)), 0) / scores.length
}

