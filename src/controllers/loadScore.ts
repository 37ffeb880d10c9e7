import { checkFinite, checkKeys } from '../checkOption.ts'
import { ConfigError } from '../errors.ts'
import { scoreLoad } from '../feedback.ts'
import type { LoadFeedback, LoadWeights, ScoreOptions } from '../feedback.ts'
import { clampTo, explained } from './controller.ts'
import type { Controller, FeedbackSample } from './controller.ts'

/** Options of {@link loadScore}. */
export interface LoadScoreOptions {
  /**
   * Weights of the score's parts (default `DEFAULT_WEIGHTS`: cpu .4, errorRate .3,
   * queueDepth .2, locks .1). Given, they replace the defaults whole: a part left out
   * weighs 0. Each >= 0.
   */
  readonly weights?: LoadWeights
  /** Below this mean score the batch grows (default 0.3). In 0..1 and <= `high`. */
  readonly low?: number
  /** Above this mean score the batch shrinks (default 0.7). In 0..1 and >= `low`. */
  readonly high?: number
  /** Step per adjustment as a share of the size: `max(floor(size × factor), 1)` items (default 0.2). In (0, 1]. */
  readonly factor?: number
  /** How often the batcher adjusts, in ms (default 5000). > 0. */
  readonly intervalMs?: number
  /** Divides `queueDepth` when a feedback carries no `queueCapacity` (default 100). > 0. */
  readonly queueCapacity?: number
  /** Divides `locks` (default 50). > 0. */
  readonly locksCapacity?: number
  /**
   * Also step concurrency by one (up below `low`, down above `high`) within its bounds
   * (default false: concurrency stays where it is).
   */
  readonly concurrency?: boolean
}

/**
 * The seeds' load-score controller (the default was this until `autoTune`). Each adjustment averages
 * the scores of the samples it is given (the batcher's last 10): below `low` the batch grows
 * by `max(floor(size × factor), 1)`, above `high` it shrinks by the same, in between (edges
 * included) it holds. The result is clamped to the size bounds. Concurrency moves only with
 * `concurrency: true`, one step at a time by the same score; latency weighs nothing unless
 * the feedback carries it.
 *
 * Scores that are NaN are skipped (a window with none holds); others are clamped to 0..1.
 * With custom `weights` or capacities, each sample is re-scored from its feedback, and
 * {@link Controller.score} lets the batcher record samples with the same weighting.
 *
 * @example createBatcher({ flush, size: { min: 10, max: 1000 }, controller: loadScore({ high: 0.6 }) })
 */
export function loadScore(options: LoadScoreOptions = {}): Controller<null> {
  checkKeys('', options, ['weights', 'low', 'high', 'factor', 'intervalMs', 'queueCapacity', 'locksCapacity', 'concurrency'], 'loadScore')
  const low = checkFinite('low', options.low ?? 0.3, 'a number in 0..1', (v) => v >= 0 && v <= 1)
  const high = checkFinite('high', options.high ?? 0.7, 'a number in 0..1 and >= `low`', (v) => v >= low && v <= 1)
  const factor = checkFinite('factor', options.factor ?? 0.2, 'a number > 0 and <= 1', (v) => v > 0 && v <= 1)
  const intervalMs = checkFinite('intervalMs', options.intervalMs ?? 5000, 'a number > 0', (v) => v > 0)
  const scoring = scoringOptions(options)
  const stepsConcurrency = checkBoolean('concurrency', options.concurrency ?? false)
  // Samples arrive scored with the default weighting; re-score only when ours differs.
  const rescores = Object.keys(scoring).length > 0
  const score = (feedback: LoadFeedback): number => scoreLoad(feedback, scoring)

  return {
    name: 'loadScore',
    intervalMs,
    initialState: () => null,
    score,
    decide({ target, samples, bounds }) {
      const size = clampTo(target.batchSize, bounds.size)
      const concurrency = clampTo(target.concurrency, bounds.concurrency)
      const mean = meanScore(samples, rescores ? score : undefined)
      const inputs = { score: mean, low, high }
      if (mean === undefined) return explained(target, { batchSize: size, concurrency }, null, 'hold', inputs, 'no load score seen: hold')
      if (mean >= low && mean <= high) return explained(target, { batchSize: size, concurrency }, null, 'hold', inputs, `load score ${+mean.toFixed(2)} within ${low}..${high}: hold`)
      const direction = mean < low ? 1 : -1
      const step = Math.max(Math.floor(size * factor), 1)
      const to = {
        batchSize: clampTo(size + direction * step, bounds.size),
        concurrency: stepsConcurrency ? clampTo(concurrency + direction, bounds.concurrency) : concurrency,
      }
      const text = `load score ${+mean.toFixed(2)} ${direction > 0 ? `under ${low}: grow by ${step}` : `over ${high}: shrink by ${step}`}`
      return explained(target, to, null, direction > 0 ? 'grow' : 'shrink', inputs, text)
    },
  }
}

/** The mean of the window's scores, each clamped to 0..1; NaN scores skipped; undefined when none is left. */
function meanScore(samples: readonly FeedbackSample[], rescore: ((feedback: LoadFeedback) => number) | undefined): number | undefined {
  let sum = 0
  let count = 0
  for (const sample of samples) {
    const score = rescore ? rescore(sample.feedback) : sample.score
    if (Number.isNaN(score)) continue
    sum += Math.min(1, Math.max(0, score))
    count++
  }
  return count === 0 ? undefined : sum / count
}

function scoringOptions(options: LoadScoreOptions): ScoreOptions {
  const scoring: { weights?: LoadWeights; queueCapacity?: number; locksCapacity?: number } = {}
  if (options.weights !== undefined) {
    if (typeof options.weights !== 'object' || options.weights === null) throw new ConfigError('weights', 'an object of weights', options.weights)
    const weights: Record<string, number> = {}
    for (const part of ['cpu', 'errorRate', 'queueDepth', 'locks'] as const) {
      const weight = options.weights[part]
      if (weight !== undefined) weights[part] = checkFinite(`weights.${part}`, weight, 'a number >= 0', (v) => v >= 0)
    }
    scoring.weights = weights
  }
  if (options.queueCapacity !== undefined) scoring.queueCapacity = checkFinite('queueCapacity', options.queueCapacity, 'a number > 0', (v) => v > 0)
  if (options.locksCapacity !== undefined) scoring.locksCapacity = checkFinite('locksCapacity', options.locksCapacity, 'a number > 0', (v) => v > 0)
  return scoring
}


function checkBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(field, 'a boolean', value)
  return value
}
