/**
 * A latency histogram with logarithmic buckets (2 % wide from 0.01 ms up), for quantiles of
 * millions of item latencies in constant memory: a quantile is exact to within 2 %.
 */

const GROWTH = 1.02
const LOWEST_MS = 0.01
const LOG_GROWTH = Math.log(GROWTH)

/** Counts of latencies by bucket; see {@link LatencyHistogram.quantile}. */
export class LatencyHistogram {
  private readonly counts = new Map<number, number>()
  private total = 0

  /** Counts `count` latencies of `ms` each (negative and NaN count as 0). */
  record(ms: number, count = 1): void {
    const bucket = ms > LOWEST_MS ? Math.ceil(Math.log(ms / LOWEST_MS) / LOG_GROWTH) : 0
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + count)
    this.total += count
  }

  /** How many latencies were recorded. */
  get count(): number {
    return this.total
  }

  /** The `q` quantile (0..1): the upper edge of the bucket holding it; 0 when empty. */
  quantile(q: number): number {
    if (this.total === 0) return 0
    const rank = Math.max(1, Math.ceil(q * this.total))
    let seen = 0
    for (const bucket of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(bucket)!
      if (seen >= rank) return bucket === 0 ? LOWEST_MS : LOWEST_MS * GROWTH ** bucket
    }
    return 0
  }
}
