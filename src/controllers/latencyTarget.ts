import { checkFinite } from '../checkOption.ts'
import { meanLatencyMs } from './window.ts'
import { clampTo } from './controller.ts'
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
  const targetMs = checkFinite('targetMs', options?.targetMs, 'a number > 0', (v) => v > 0)
  const intervalMs = checkFinite('intervalMs', options?.intervalMs ?? 1000, 'a number > 0', (v) => v > 0)

  return {
    name: 'latencyTarget',
    intervalMs,
    initialState: () => null,
    decide({ target, samples, bounds }) {
      const size = clampTo(target.batchSize, bounds.size)
      return {
        batchSize: clampTo(nextSize(size, samples, targetMs), bounds.size),
        concurrency: clampTo(target.concurrency, bounds.concurrency),
        state: null,
      }
    },
  }
}

function nextSize(size: number, samples: readonly FeedbackSample[], targetMs: number): number {
  if (samples.some((sample) => sample.failed)) return Math.floor(size / 2)
  const latencyMs = meanLatencyMs(samples)
  if (latencyMs === undefined) return size
  if (latencyMs < targetMs / 2) return size * 2
  if (latencyMs > targetMs) return Math.floor((size * 3) / 4)
  return size
}


