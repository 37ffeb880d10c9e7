import { checkFinite, checkKeys } from '../checkOption.ts'
import { meanLatencyMs } from './window.ts'
import { clampTo, explained } from './controller.ts'
import type { Controller, FeedbackSample } from './controller.ts'

/** Options of {@link latencyTarget}. */
export interface LatencyTargetOptions {
  /** The flush latency to stay under, in ms. Required, > 0. */
  readonly targetMs: number
  /** How often the batcher adjusts, in ms (default 1000). > 0. */
  readonly intervalMs?: number
}

/**
 * Steers the batch size towards a latency target (the batch guide's adaptive processor):
 * any failed flush in the window halves the size; otherwise a mean latency under
 * `targetMs / 2` doubles it, one over `targetMs` cuts it to three quarters (rounded down),
 * and anything in between (edges included) holds. Clamped to the bounds. It does not adapt
 * concurrency (the default controller, `autoTune`, does, and takes a `targetLatencyMs` too).
 *
 * Edge cases: samples without a finite latency do not count (a window with none and no
 * failure holds); negative latencies count as 0.
 *
 * @example createBatcher({ flush, size: { min: 10, max: 2000 }, controller: latencyTarget({ targetMs: 250 }) })
 */
export function latencyTarget(options: LatencyTargetOptions): Controller<null> {
  checkKeys('', options, ['targetMs', 'intervalMs'], 'latencyTarget')
  const targetMs = checkFinite('targetMs', options?.targetMs, 'a number > 0', (v) => v > 0)
  const intervalMs = checkFinite('intervalMs', options?.intervalMs ?? 1000, 'a number > 0', (v) => v > 0)

  return {
    name: 'latencyTarget',
    intervalMs,
    initialState: () => null,
    decide({ target, samples, bounds }) {
      const size = clampTo(target.batchSize, bounds.size)
      const { next, rule, why } = nextSize(size, samples, targetMs)
      const to = { batchSize: clampTo(next, bounds.size), concurrency: clampTo(target.concurrency, bounds.concurrency) }
      const inputs = { latencyMs: meanLatencyMs(samples), targetMs, failures: samples.filter((sample) => sample.failed).length }
      return explained(target, to, null, rule, inputs, `${why}: ${rule}`)
    },
  }
}

function nextSize(size: number, samples: readonly FeedbackSample[], targetMs: number): { next: number; rule: string; why: string } {
  if (samples.some((sample) => sample.failed)) return { next: Math.floor(size / 2), rule: 'halve on failure', why: 'a flush failed' }
  const latencyMs = meanLatencyMs(samples)
  if (latencyMs === undefined) return { next: size, rule: 'hold', why: 'no latency seen' }
  const seen = `latency ${+latencyMs.toPrecision(3)} ms`
  if (latencyMs < targetMs / 2) return { next: size * 2, rule: 'double', why: `${seen} under half the ${targetMs} ms target` }
  if (latencyMs > targetMs) return { next: Math.floor((size * 3) / 4), rule: 'shrink by a quarter', why: `${seen} over the ${targetMs} ms target` }
  return { next: size, rule: 'hold', why: `${seen} within the ${targetMs} ms target` }
}


