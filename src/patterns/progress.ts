import type { SchedulerLike } from 'rxjs'
import { checkNumber } from '../checkOption.ts'
import { ConfigError } from '../errors.ts'
import { unrefScheduler } from '../scheduler.ts'

/** Options of {@link progress}. */
export interface ProgressOptions {
  /** Items in all, when known (an array's length); leave it out for a stream of unknown length. An integer >= 0. */
  readonly total?: number
  /** Time source for the rate and ETA (default: real time). Pass a VirtualTimeScheduler in tests. */
  readonly scheduler?: SchedulerLike
}

/** Where a run stands. Every field is a finite number or `undefined`: never NaN, never Infinity. */
export interface ProgressSnapshot {
  /** Items settled so far (succeeded or failed). */
  readonly done: number
  /** Of those, the items that failed. */
  readonly failed: number
  /** Items in all, when known. */
  readonly total: number | undefined
  /** `done / total` in 0..1; undefined when the total is unknown; 1 for a total of 0. */
  readonly fraction: number | undefined
  /** Time since the tracker was created, in ms. */
  readonly elapsedMs: number
  /** Items settled per second since the start; 0 until time has passed and an item settled. */
  readonly ratePerSecond: number
  /** Time left at the current rate, in ms; undefined before the first item (no rate yet) or when the total is unknown. */
  readonly etaMs: number | undefined
}

/** Counts settled items and tells where a run stands; see {@link progress}. */
export interface ProgressTracker {
  /** Counts `count` more items settled, `failed` of them failed (default 0). */
  add(count: number, failed?: number): void
  /** Where the run stands now. */
  snapshot(): ProgressSnapshot
}

/**
 * A progress tracker: done, total, rate and ETA, for a log line or a CLI progress bar.
 * Unlike the batch guide's tracker it never divides by zero: before the first item (or
 * before any time has passed) the rate is 0 and the ETA is undefined, and a total of 0 is
 * complete (fraction 1).
 *
 * @example
 * const tracker = progress({ total: rows.length })
 * await processInBatches(rows, insert, { onProgress: (p) => bar.update(p.fraction ?? 0) })
 */
export function progress(options: ProgressOptions = {}): ProgressTracker {
  const total = options.total === undefined ? undefined : checkNumber('total', options.total, 0, { min: 0, integer: true })
  const scheduler = options.scheduler ?? unrefScheduler
  if (typeof scheduler?.now !== 'function') throw new ConfigError('scheduler', 'an RxJS SchedulerLike ({ now(), schedule() })', scheduler)
  const startedAt = scheduler.now()
  let done = 0
  let failed = 0
  return {
    add(count, failedCount = 0) {
      if (!(count >= 0) || !(failedCount >= 0)) return // nothing to count; never poisons the totals with NaN
      done += count
      failed += Math.min(failedCount, count)
    },
    snapshot() {
      const elapsedMs = Math.max(0, scheduler.now() - startedAt)
      const ratePerSecond = done > 0 && elapsedMs > 0 ? (done * 1000) / elapsedMs : 0
      const left = total === undefined ? undefined : Math.max(0, total - done)
      return {
        done,
        failed,
        total,
        fraction: total === undefined ? undefined : total === 0 ? 1 : Math.min(1, done / total),
        elapsedMs,
        ratePerSecond,
        etaMs: left === undefined ? undefined : left === 0 ? 0 : ratePerSecond > 0 ? (left * 1000) / ratePerSecond : undefined,
      }
    },
  }
}
