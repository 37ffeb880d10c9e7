/**
 * Percentiles for the simulation driver's summaries and samples: nearest rank over a copy, so
 * the caller's array keeps its order.
 */

/**
 * The `q` quantile (0..1) of `values` by nearest rank; 0 for an empty list (a quiet interval
 * has no latency to report, and a chart reads 0 better than a gap).
 *
 * @example quantileOf([5, 1, 3], 0.5) // 3
 */
export function quantileOf(values: readonly number[], q: number): number {
  if (values.length === 0) return 0
  const sorted = Float64Array.from(values).sort()
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank]!
}
