/**
 * What a simulation run ({@link runSimulation}) records: a time series sampled at fixed
 * intervals, and a summary of the whole run. Plain data (numbers and strings), so a run can be
 * written as JSON, drawn into a report, and compared for equality across runs of one seed.
 */
import type { TargetReason } from '../../machines/batcher.types.ts'

/** One point of a run's time series: what happened during the interval that ends at `atMs`. */
export interface SimulationSample {
  /** End of the interval, in ms since the start of the run. */
  readonly atMs: number
  /** The batcher's target batch size at `atMs`. */
  readonly batchSize: number
  /** The batcher's smoothed load score at `atMs`, 0..1. */
  readonly loadScore: number
  /** Items flushed successfully during the interval, per second. */
  readonly itemsPerSecond: number
  /** Median latency of the flush calls that ended during the interval, in ms (0 when none ended). */
  readonly latencyP50Ms: number
  /** 99th percentile of the same, in ms. */
  readonly latencyP99Ms: number
  /** Items the backend failed during the interval (each retry that fails counts again). */
  readonly errors: number
  /** The load pattern's background load at `atMs`, 0..1. */
  readonly backgroundLoad: number
  /** The batch size a perfect controller would hold at `atMs` (within the run's size bounds). */
  readonly bestBatchSize: number
  /** Why the target last changed during the interval, from the batcher's `target.changed` event (absent when it did not change or the controller gave no reason). */
  readonly reason?: TargetReason
}

/** Totals of a whole run. */
export interface SimulationSummary {
  /** From the first item offered to the last one settled, in ms (virtual or real). */
  readonly durationMs: number
  /** Items the producers offered. */
  readonly itemsOffered: number
  /** Items flushed successfully. */
  readonly itemsFlushed: number
  /** Items dead-lettered after their last retry failed. */
  readonly itemsFailed: number
  /** Items flushed per second of the run. */
  readonly itemsPerSecond: number
  /**
   * With `durationMs`: items flushed successfully while the producers offered (the first
   * `durationMs`), per second of it: the goodput of the window, whatever was left buffered to
   * drain after it. Equal to `itemsPerSecond` for a run of `count` items.
   */
  readonly windowItemsPerSecond: number
  /** Median latency of every flush call, in ms. */
  readonly latencyP50Ms: number
  /** 99th percentile latency of every flush call, in ms. */
  readonly latencyP99Ms: number
  /** Items the backend failed, counting each failed attempt (retries included). */
  readonly errors: number
  /** Flush calls made (retries included). */
  readonly flushes: number
  /** Flush calls that failed wholly or partly, or timed out. */
  readonly failedFlushes: number
  /** The target batch size at the end. */
  readonly finalBatchSize: number
  /** Mean items per flush call. */
  readonly avgBatchSize: number
  /** Median time from an item's offer to its successful flush, in ms (within 2 %). */
  readonly itemLatencyP50Ms: number
  /** 99th percentile of the same, in ms (within 2 %). */
  readonly itemLatencyP99Ms: number
  /** The concurrency in force at the end. */
  readonly finalConcurrency: number
}

/** One run: how it was set up, its time series and its summary. */
export interface SimulationRun {
  /** A short name for tables and chart legends, e.g. `loadScore` or `fixed 20`. */
  readonly label: string
  /** The controller's name. */
  readonly controller: string
  /** The load pattern's name. */
  readonly pattern: string
  /** The seed of the pattern, the backend and the retry jitter. */
  readonly seed: number
  /** `virtual` or `real` time. */
  readonly clock: 'virtual' | 'real'
  /** Sampled every `sampleIntervalMs`, plus one last sample at the end. */
  readonly samples: readonly SimulationSample[]
  /** Totals of the run. */
  readonly summary: SimulationSummary
}
