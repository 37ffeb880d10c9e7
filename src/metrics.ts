import type { BatcherState } from '../machines/batcher.types.ts'

/**
 * A snapshot of a batcher's counters, read without waiting for anything (a slow flush never
 * blocks it). Invariant at every moment:
 * `itemsAdded = itemsFlushed + itemsFailed + itemsBuffered + itemsInFlight`.
 */
export interface BatcherMetrics {
  /** Items accepted (by tryAdd, add, submit, addMany, ADD, ADD_MANY). */
  itemsAdded: number
  /** Items whose flush succeeded. */
  itemsFlushed: number
  /** Items refused: buffer full on tryAdd/addMany/ADD, or offered after stop. Never accepted. */
  itemsDropped: number
  /** Items handed to onDeadLetter after their last attempt failed. */
  itemsFailed: number
  /** Items waiting in the buffer for a batch. */
  itemsBuffered: number
  /** Items in batches cut and not yet settled (flushing or waiting to retry). */
  itemsInFlight: number
  /** Calls of the flush function that settled (every attempt). */
  flushCount: number
  /** Of those, the calls that threw, rejected, timed out or partly failed. */
  failedFlushes: number
  /** Calls that were retries (attempt >= 2). */
  retries: number
  /** Duration of the last flush call, in ms. */
  lastFlushMs: number
  /** Mean duration of the flush calls, in ms. */
  avgFlushMs: number
  /** Sum of the flush calls' durations, in ms. */
  totalFlushMs: number
  /** Median of the last 1024 flush durations, in ms. */
  p50FlushMs: number
  /** 99th percentile of the last 1024 flush durations, in ms. */
  p99FlushMs: number
  /** The target batch size in force. */
  batchSize: number
  /** Mean items per flush call. */
  avgBatchSize: number
  /** Flushes allowed in flight at once. */
  concurrency: number
  /** The latest smoothed load score, 0..1 (0 before any feedback). */
  loadScore: number
  /** Feedback values that were out of range or not numbers (clamped or ignored). */
  feedbackRejected: number
  /** Items heavier than maxBatchWeight, flushed alone. */
  oversizedItems: number
  /** The batcher's state. */
  state: BatcherState
}

const WINDOW = 1024

/** Keeps the flush durations: running totals plus the last 1024 for percentiles. */
export class FlushTimings {
  count = 0
  totalMs = 0
  lastMs = 0
  private readonly recent = new Float64Array(WINDOW)

  /** Records one flush call's duration. */
  record(ms: number): void {
    this.recent[this.count % WINDOW] = ms
    this.count++
    this.totalMs += ms
    this.lastMs = ms
  }

  /** The `q` quantile (0..1) of the recent durations, nearest rank; 0 before any flush. */
  quantile(q: number): number {
    const n = Math.min(this.count, WINDOW)
    if (n === 0) return 0
    const sorted = this.recent.slice(0, n).sort()
    return sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!
  }
}
