/**
 * The simulated backend's cost model, as pure functions of utilisation: how slow a call is,
 * how likely its items fail, how many lock waits show. The stateful backend
 * ({@link createSimulatedBackend}) applies them; {@link optimalBatchSize} uses them to say
 * which batch size a perfect controller would pick, so a report can draw it.
 *
 * A call of `n` items takes `(overheadMs + perItemMs × n) × slowdown(u)`, where
 * `u = background + itemsInFlight / capacity` counts this call's items too. Small batches pay
 * the overhead again and again; large ones push `u` up, and latency and errors climb. So
 * goodput (items that succeed per second) peaks at a batch size that falls as load rises:
 * with the defaults and 4 flushes in flight, 93 items at background 0.2, 68 at 0.5, 18 at 0.9
 * (246, 164 and 52 with one flush in flight).
 */

import { resolveBackendOptions, type BackendOptions, type ResolvedBackendOptions } from './backendOptions.ts'

/** The parts of the resolved options the cost model reads. */
export type CostModel = Pick<
  ResolvedBackendOptions,
  | 'overheadMs' | 'perItemMs' | 'capacity' | 'kneeSlowdown' | 'saturationSlowdown'
  | 'baseErrorRate' | 'errorOnset' | 'errorSlope' | 'maxErrorRate' | 'lockOnset' | 'lockSlope'
>

/**
 * Utilisation: `background + itemsInFlight / capacity`, >= 0 (above 1 means overrun).
 * A background outside 0..1 is clamped; negative items count as 0.
 */
export function utilisationOf(background: number, itemsInFlight: number, model: Pick<CostModel, 'capacity'>): number {
  const b = Number.isFinite(background) ? Math.min(1, Math.max(0, background)) : 0
  return b + Math.max(0, itemsInFlight) / model.capacity
}

/**
 * How many times slower than idle a call runs at utilisation `u`, >= 1, in three parts:
 * - up to the knee (where it reaches `kneeSlowdown`, at `u = 1 - 1 / kneeSlowdown`), the
 *   queueing factor `1 / (1 - u)`;
 * - past the knee, `k × exp(k d + k² d² / 2)` for `d = u - knee`, `k = kneeSlowdown`: it joins
 *   the queueing curve smoothly (same value and slope), has no pole at 1, and its relative
 *   slope keeps growing, so each extra item costs more than the one before (why the best
 *   batch size keeps falling under overload);
 * - from `saturationSlowdown` on, growth in proportion to `u` only, so a wildly overrun
 *   backend's latencies stay finite while a bigger batch still costs more per item.
 */
export function slowdownAt(u: number, model: Pick<CostModel, 'kneeSlowdown' | 'saturationSlowdown'>): number {
  const k = model.kneeSlowdown
  const knee = 1 - 1 / k
  if (u <= 0) return 1
  if (u < knee) return 1 / (1 - u)
  // Where the overload curve reaches saturationSlowdown: solve x + x²/2 = ln(S / k) for x = k d.
  const x = Math.sqrt(1 + 2 * Math.log(model.saturationSlowdown / k)) - 1
  const saturatedAt = knee + x / k
  if (u >= saturatedAt) return (model.saturationSlowdown * u) / saturatedAt
  const d = u - knee
  return k * Math.exp(k * d + (k * k * d * d) / 2)
}

/** Chance that an item fails at utilisation `u`: `baseErrorRate`, plus `errorSlope` per unit past `errorOnset`, capped at `maxErrorRate`. */
export function errorRateAt(u: number, model: Pick<CostModel, 'baseErrorRate' | 'errorOnset' | 'errorSlope' | 'maxErrorRate'>): number {
  const rate = model.baseErrorRate + model.errorSlope * Math.max(0, u - model.errorOnset)
  return Math.min(model.maxErrorRate, rate)
}

/** Lock waits at utilisation `u`: `lockSlope` per unit past `lockOnset`, rounded; 0 below it. */
export function lockWaitsAt(u: number, model: Pick<CostModel, 'lockOnset' | 'lockSlope'>): number {
  return Math.round(model.lockSlope * Math.max(0, u - model.lockOnset))
}

/** Latency in ms of a call of `batchSize` items at utilisation `u`, without jitter. */
export function callLatencyMs(batchSize: number, u: number, model: CostModel): number {
  return (model.overheadMs + model.perItemMs * batchSize) * slowdownAt(u, model)
}

/** The load {@link expectedGoodput} and {@link optimalBatchSize} assume. */
export interface SteadyLoad {
  /** Background load, 0..1. */
  readonly background: number
  /** Calls in flight at once, each of the same size, >= 1 (default 1). */
  readonly concurrency?: number
}

/**
 * Expected items that succeed per second when `concurrency` callers each keep one call of
 * `batchSize` items in flight, back to back, at a steady `background`. 0 for a batch of 0.
 */
export function expectedGoodput(batchSize: number, load: SteadyLoad, model: CostModel): number {
  if (batchSize <= 0) return 0
  const concurrency = Math.max(1, load.concurrency ?? 1)
  const u = utilisationOf(load.background, concurrency * batchSize, model)
  const latencyMs = callLatencyMs(batchSize, u, model)
  return (concurrency * batchSize * (1 - errorRateAt(u, model)) * 1000) / latencyMs
}

/** Options of {@link optimalBatchSize}: the load, and the sizes to choose from. */
export interface OptimalSizeQuery extends SteadyLoad {
  /** Smallest size considered, integer >= 1 (default 1). */
  readonly minSize?: number
  /** Largest size considered, integer >= minSize (default 1000). */
  readonly maxSize?: number
}

/** The best batch size for a steady load, and the goodput it gives. */
export interface OptimalSize {
  /** The batch size with the highest expected goodput (the smallest such size on a tie). */
  readonly batchSize: number
  /** Its expected goodput, items per second. */
  readonly itemsPerSecond: number
}

/**
 * The batch size in `minSize..maxSize` with the highest {@link expectedGoodput} at a steady
 * load: what a perfect controller would hold. Scans every size (cheap: about 30 µs for 1000).
 * `model` takes {@link BackendOptions} (defaults filled in, checked) or resolved ones.
 *
 * @example optimalBatchSize({ background: 0.2, concurrency: 4, maxSize: 500 }) // { batchSize: 93, ... }
 */
export function optimalBatchSize(query: OptimalSizeQuery, model: BackendOptions = {}): OptimalSize {
  const resolved = resolveBackendOptions(model)
  const minSize = Math.max(1, Math.floor(query.minSize ?? 1))
  const maxSize = Math.max(minSize, Math.floor(query.maxSize ?? 1000))
  let best: OptimalSize = { batchSize: minSize, itemsPerSecond: expectedGoodput(minSize, query, resolved) }
  for (let size = minSize + 1; size <= maxSize; size++) {
    const itemsPerSecond = expectedGoodput(size, query, resolved)
    if (itemsPerSecond > best.itemsPerSecond) best = { batchSize: size, itemsPerSecond }
  }
  return best
}
