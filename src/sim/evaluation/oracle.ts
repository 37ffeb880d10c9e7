/**
 * The oracle of the yardstick: at each moment, the steady best (size, concurrency) for the
 * true background load, read from the simulator's cost model, and the goodput it would give.
 * For judging only: no controller ever sees it.
 */

import { expectedGoodput } from '../costModel.ts'
import type { ResolvedBackendOptions } from '../backendOptions.ts'
import type { Bounds } from '../../controllers/controller.ts'

/** The best steady setting for one background load. */
export interface OracleSetting {
  readonly batchSize: number
  readonly concurrency: number
  readonly itemsPerSecond: number
}

/** The best (size, concurrency) within the bounds at a steady `background` (every integer pair is tried). */
export function oracleSetting(background: number, bounds: { size: Bounds; concurrency: Bounds }, model: ResolvedBackendOptions): OracleSetting {
  let best: OracleSetting = { batchSize: bounds.size.min, concurrency: bounds.concurrency.min, itemsPerSecond: -1 }
  for (let concurrency = bounds.concurrency.min; concurrency <= bounds.concurrency.max; concurrency++) {
    for (let batchSize = bounds.size.min; batchSize <= bounds.size.max; batchSize++) {
      const itemsPerSecond = expectedGoodput(batchSize, { background, concurrency }, model)
      if (itemsPerSecond > best.itemsPerSecond) best = { batchSize, concurrency, itemsPerSecond }
    }
  }
  return best
}

/**
 * The oracle's mean goodput over `[0, durationMs)`, the load sampled every `stepMs` (default
 * 100 ms): what a controller that always knew the load and the cost model would reach.
 */
export function oracleGoodput(
  model: ResolvedBackendOptions,
  bounds: { size: Bounds; concurrency: Bounds },
  durationMs: number,
  stepMs = 100,
): number {
  const cache = new Map<number, number>()
  let sum = 0
  let steps = 0
  for (let at = 0; at < durationMs; at += stepMs) {
    const background = Math.round(model.pattern(at) * 1000) / 1000
    let value = cache.get(background)
    if (value === undefined) {
      value = oracleSetting(background, bounds, model).itemsPerSecond
      cache.set(background, value)
    }
    sum += value
    steps++
  }
  return steps === 0 ? 0 : sum / steps
}
