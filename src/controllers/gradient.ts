import { checkFinite, checkKeys } from '../checkOption.ts'
import { meanLatencyMs } from './window.ts'
import { ConfigError } from '../errors.ts'
import { clampTo, explained } from './controller.ts'
import type { Controller, ControllerDecision, FeedbackSample } from './controller.ts'

/** Options of {@link gradient}. */
export interface GradientOptions {
  /**
   * How much the short-term latency may exceed the long-term one before the size shrinks
   * (default 1.5: up to +50% is tolerated). >= 1.
   */
  readonly tolerance?: number
  /** Share of each new estimate taken into the size: 1 jumps, small values creep (default 0.2). In (0, 1]. */
  readonly smoothing?: number
  /** Span of the long-term latency average, in samples (default 600). An integer >= 1. */
  readonly longWindow?: number
  /** Room to grow per adjustment as a function of the size (default `Math.sqrt`); negative or NaN counts as 0. */
  readonly headroom?: (size: number) => number
  /** How often the batcher adjusts, in ms (default 1000). > 0. */
  readonly intervalMs?: number
}

/** What {@link gradient} remembers between adjustments. */
export interface GradientState {
  /** Long-term exponential average of the latency, in ms; null before the first latency. */
  readonly longLatencyMs: number | null
  /** The unrounded size estimate, so growth below one item per step still adds up; null at first. */
  readonly estimate: number | null
  /** Time of the newest sample already folded into the long-term average; null at first. */
  readonly lastSampleAt: number | null
}

/**
 * After Netflix concurrency-limits' Gradient2: compares the long-term average latency with
 * the short-term one (the mean of the window) and shrinks the size as latency climbs.
 * `gradient = max(0.5, min(1, tolerance × long / short))`, the new estimate is
 * `size × gradient + headroom(size)`, and the size moves a `smoothing` share towards it.
 * The long-term average is an exponential average over `longWindow` samples, updated with
 * each sample new since the last adjustment; when it exceeds twice the short-term one (load
 * has passed) it decays by 10% per adjustment so the size recovers sooner.
 *
 * Edge cases: a failed flush in the window halves the size at once (a strong shrink signal,
 * no smoothing); a window without any finite latency holds; a zero short-term latency counts
 * as no queueing (gradient 1); when every flush in the window carried under half the size,
 * the size is not what limits and it does not grow (Gradient2's "app limited" rule).
 * It does not adapt concurrency (the default controller, `autoTune`, does).
 *
 * @example createBatcher({ flush, size: { min: 10, max: 1000 }, controller: gradient({ tolerance: 2 }) })
 */
export function gradient(options: GradientOptions = {}): Controller<GradientState> {
  checkKeys('', options, ['tolerance', 'smoothing', 'longWindow', 'headroom', 'intervalMs'], 'gradient')
  const tolerance = checkFinite('tolerance', options.tolerance ?? 1.5, 'a number >= 1', (v) => v >= 1)
  const smoothing = checkFinite('smoothing', options.smoothing ?? 0.2, 'a number > 0 and <= 1', (v) => v > 0 && v <= 1)
  const longWindow = checkFinite('longWindow', options.longWindow ?? 600, 'an integer >= 1', (v) => Number.isInteger(v) && v >= 1)
  const intervalMs = checkFinite('intervalMs', options.intervalMs ?? 1000, 'a number > 0', (v) => v > 0)
  const headroom = options.headroom ?? Math.sqrt
  if (typeof headroom !== 'function') throw new ConfigError('headroom', 'a function of the size', headroom)
  // The exponential average's weight of history per sample, as in an N-sample EWMA.
  const keep = 1 - 2 / (longWindow + 1)

  return {
    name: 'gradient',
    intervalMs,
    initialState: () => ({ longLatencyMs: null, estimate: null, lastSampleAt: null }),
    decide({ target, samples, bounds }, state) {
      const size = clampTo(target.batchSize, bounds.size)
      // Keep the fractional estimate unless the size was moved from outside (clamped, replaced).
      const base = state.estimate !== null && clampTo(state.estimate, bounds.size) === size ? state.estimate : size
      const fresh = samples.filter((sample) => state.lastSampleAt === null || sample.at > state.lastSampleAt)
      const newest = Math.max(state.lastSampleAt ?? -Infinity, ...fresh.map((sample) => sample.at).filter(Number.isFinite))
      const failed = samples.some((sample) => sample.failed)
      const decision = (estimate: number, longLatencyMs: number | null, rule: string, why: string, inputs: Record<string, number | undefined> = {}): ControllerDecision<GradientState> => {
        const kept = Number.isFinite(estimate) ? Math.min(bounds.size.max, Math.max(bounds.size.min, estimate)) : size
        const to = { batchSize: clampTo(kept, bounds.size), concurrency: clampTo(target.concurrency, bounds.concurrency) }
        const next = { longLatencyMs, estimate: kept, lastSampleAt: Number.isFinite(newest) ? newest : null }
        return explained(target, to, next, rule, { ...inputs, longLatencyMs: longLatencyMs ?? undefined }, `${why}: ${rule}`)
      }

      const shortMs = meanLatencyMs(samples)
      if (shortMs === undefined) return failed ? decision(base / 2, state.longLatencyMs, 'halve on failure', 'a flush failed') : decision(base, state.longLatencyMs, 'hold', 'no latency seen')
      // Fold the fresh samples in as if each had the window's mean latency: the ratio below
      // is then written so that it only falls as the short-term latency rises.
      const history = state.longLatencyMs === null ? 0 : keep ** fresh.length
      const longMs = state.longLatencyMs === null ? shortMs : state.longLatencyMs * history + shortMs * (1 - history)
      const ratio = state.longLatencyMs === null || shortMs <= 0 ? 1 : (state.longLatencyMs * history) / shortMs + (1 - history)
      const nextLongMs = ratio > 2 ? longMs * 0.9 : longMs
      if (failed) return decision(base / 2, nextLongMs, 'halve on failure', 'a flush failed', { shortLatencyMs: shortMs })

      const slope = Math.max(0.5, Math.min(1, tolerance * ratio))
      const room = headroom(base)
      const proposed = base * slope + (room > 0 ? room : 0)
      const estimate = base * (1 - smoothing) + proposed * smoothing
      const limited = isAppLimited(samples, size)
      const why = `long/short latency ratio ${+ratio.toFixed(2)}${limited ? ', batches not filling: no growth' : ''}`
      return decision(limited ? Math.min(estimate, base) : estimate, nextLongMs, 'gradient', why, { shortLatencyMs: shortMs, ratio, slope })
    },
  }
}

/** True when the window has flushes and every one of them carried under half of `size`. */
function isAppLimited(samples: readonly FeedbackSample[], size: number): boolean {
  const flushes = samples.filter((sample) => sample.source === 'flush')
  return flushes.length > 0 && flushes.every((sample) => sample.batchSize < size / 2)
}


