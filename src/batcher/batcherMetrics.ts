import type { ControlTarget } from '../controllers/controller.ts'
import { FlushTimings, type BatcherMetrics } from '../metrics.ts'

/** The counters one batcher runtime keeps; `snapshot` turns them into {@link BatcherMetrics}. */
export class BatcherCounters {
  itemsAdded = 0
  itemsFlushed = 0
  itemsDropped = 0
  itemsFailed = 0
  itemsInFlight = 0
  /** Items carried by flush attempts, retries included (for the average batch size). */
  itemsAttempted = 0
  failedFlushes = 0
  retries = 0
  oversizedItems = 0
  /** Durations of the flush attempts. */
  readonly timings = new FlushTimings()

  /** A snapshot with what the runtime knows besides the counters. */
  snapshot(state: BatcherMetrics['state'], itemsBuffered: number, target: ControlTarget, loadScore: number, feedbackRejected: number): BatcherMetrics {
    const t = this.timings
    return {
      itemsAdded: this.itemsAdded,
      itemsFlushed: this.itemsFlushed,
      itemsDropped: this.itemsDropped,
      itemsFailed: this.itemsFailed,
      itemsBuffered,
      itemsInFlight: this.itemsInFlight,
      flushCount: t.count,
      failedFlushes: this.failedFlushes,
      retries: this.retries,
      lastFlushMs: t.lastMs,
      avgFlushMs: t.count === 0 ? 0 : t.totalMs / t.count,
      totalFlushMs: t.totalMs,
      p50FlushMs: t.quantile(0.5),
      p99FlushMs: t.quantile(0.99),
      batchSize: target.batchSize,
      avgBatchSize: t.count === 0 ? 0 : this.itemsAttempted / t.count,
      concurrency: target.concurrency,
      loadScore,
      feedbackRejected,
      oversizedItems: this.oversizedItems,
      state,
    }
  }
}
