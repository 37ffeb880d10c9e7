/**
 * Options of the simulated backend ({@link createSimulatedBackend}): every field with its
 * default and rule, and their check at creation.
 */

import { ConfigError } from '../errors.ts'
import { checkNumber } from '../checkOption.ts'
import { constant, type LoadPattern } from './loadPatterns.ts'
import { toSeed } from './random.ts'

/** How overload errors show: per item (a partial failure) or per call (the whole batch fails). */
export type FailureMode = 'items' | 'batch'

/** Options of {@link createSimulatedBackend}; every field is optional. */
export interface BackendOptions {
  /** Background load over time, 0..1 (default `constant()`: 0.5). */
  readonly pattern?: LoadPattern
  /** Seed of the backend's own randomness: errors and latency jitter (default 1). */
  readonly seed?: number
  /** Fixed cost of one call in ms, whatever its size, >= 0 (default 20: a round trip, a statement). */
  readonly overheadMs?: number
  /** Cost of one item in ms, >= 0 (default 0.5). */
  readonly perItemMs?: number
  /**
   * Items the backend can have in flight at once when idle otherwise, > 0 (default 2000).
   * Utilisation is `background + itemsInFlight / capacity`; at 1 the backend is full.
   */
  readonly capacity?: number
  /**
   * Size of the backend's wait queue, in items, reported as `queueCapacity` beside
   * `queueDepth` (the whole backend's waiting work, background included), > 0 (default
   * `capacity`). With the default, the queue is a quarter full at utilisation 0.5 and all
   * but full at 1, which keeps the default load score under 0.3 at light load and over 0.7
   * when the backend is overrun (see `feedbackFor` in `backend.ts`).
   */
  readonly queueCapacity?: number
  /**
   * Where the queueing slowdown `1 / (1 - utilisation)` ends, >= 1 (default 20, reached at
   * utilisation 0.95); past it latency climbs faster and faster (see `slowdownAt`).
   */
  readonly kneeSlowdown?: number
  /**
   * Where the steep overload climb ends, >= `kneeSlowdown` (default 1000: a 20 ms call then
   * takes 20 s); beyond, the slowdown grows only in proportion to utilisation, so latencies
   * stay finite however far the backend is overrun.
   */
  readonly saturationSlowdown?: number
  /** Share of items that fail even when idle, 0..1 (default 0.001). */
  readonly baseErrorRate?: number
  /** Utilisation at which overload errors start, >= 0 (default 0.9). */
  readonly errorOnset?: number
  /** How fast the error rate rises past `errorOnset`, per unit of utilisation, >= 0 (default 3: 30 % at 1.0). */
  readonly errorSlope?: number
  /** Ceiling of the error rate, 0..1 (default 0.95). */
  readonly maxErrorRate?: number
  /** Utilisation at which lock waits appear, >= 0 (default 0.8). */
  readonly lockOnset?: number
  /**
   * Lock waits per unit of utilisation past `lockOnset`, >= 0 (default 250: 25 at utilisation
   * 0.9, 50 at 1, the load score's `locksCapacity`, so locks weigh fully once overrun).
   */
  readonly lockSlope?: number
  /**
   * `'items'` (default): each item fails on its own with the error rate (a bulk API's partial
   * failure, `failedIndexes`). `'batch'`: the whole call fails with that chance (a statement
   * timeout or deadlock). The expected number of failed items is the same.
   */
  readonly failureMode?: FailureMode
  /** Spread of latency: the standard deviation of its log-normal noise, >= 0 (default 0.1; 0 = none). */
  readonly latencyJitter?: number
}

/** {@link BackendOptions} with every default filled in and every value checked. */
export interface ResolvedBackendOptions {
  readonly pattern: LoadPattern
  readonly seed: number
  readonly overheadMs: number
  readonly perItemMs: number
  readonly capacity: number
  readonly queueCapacity: number
  readonly kneeSlowdown: number
  readonly saturationSlowdown: number
  readonly baseErrorRate: number
  readonly errorOnset: number
  readonly errorSlope: number
  readonly maxErrorRate: number
  readonly lockOnset: number
  readonly lockSlope: number
  readonly failureMode: FailureMode
  readonly latencyJitter: number
}

/**
 * Fills in the defaults of `options` and checks every value; throws a {@link ConfigError}
 * naming the first bad field (e.g. "Expected `capacity` to be a number > 0, got `0`").
 * `overheadMs` and `perItemMs` may not both be 0.
 */
export function resolveBackendOptions(options: BackendOptions = {}): ResolvedBackendOptions {
  if (options.pattern !== undefined && typeof options.pattern !== 'function') {
    throw new ConfigError('pattern', 'a function of time returning 0..1 (e.g. sinewave())', options.pattern)
  }
  const failureMode = options.failureMode ?? 'items'
  if (failureMode !== 'items' && failureMode !== 'batch') {
    throw new ConfigError('failureMode', "one of 'items', 'batch'", failureMode)
  }
  const overheadMs = checkNumber('overheadMs', options.overheadMs, 20, { min: 0 })
  const perItemMs = checkNumber('perItemMs', options.perItemMs, 0.5, { min: 0 })
  if (overheadMs === 0 && perItemMs === 0) throw new ConfigError('perItemMs', 'a number > 0 when overheadMs is 0', perItemMs)
  const capacity = checkNumber('capacity', options.capacity, 2000, { min: 0, above: true })
  const kneeSlowdown = checkNumber('kneeSlowdown', options.kneeSlowdown, 20, { min: 1 })
  const errorOnset = checkNumber('errorOnset', options.errorOnset, 0.9, { min: 0 })
  const baseErrorRate = checkNumber('baseErrorRate', options.baseErrorRate, 0.001, { min: 0, max: 1 })
  const maxErrorRate = checkNumber('maxErrorRate', options.maxErrorRate, 0.95, { min: 0, max: 1 })
  if (maxErrorRate < baseErrorRate) throw new ConfigError('maxErrorRate', `a number >= baseErrorRate (${baseErrorRate})`, maxErrorRate)
  return {
    pattern: options.pattern ?? constant(),
    seed: toSeed(options.seed ?? 1, 'seed'),
    overheadMs,
    perItemMs,
    capacity,
    queueCapacity: checkNumber('queueCapacity', options.queueCapacity, capacity, { min: 0, above: true }),
    kneeSlowdown,
    saturationSlowdown: checkNumber('saturationSlowdown', options.saturationSlowdown, Math.max(1000, kneeSlowdown), { min: kneeSlowdown }),
    baseErrorRate,
    errorOnset,
    errorSlope: checkNumber('errorSlope', options.errorSlope, 3, { min: 0 }),
    maxErrorRate,
    lockOnset: checkNumber('lockOnset', options.lockOnset, 0.8, { min: 0 }),
    lockSlope: checkNumber('lockSlope', options.lockSlope, 250, { min: 0 }),
    failureMode,
    latencyJitter: checkNumber('latencyJitter', options.latencyJitter, 0.1, { min: 0 }),
  }
}
