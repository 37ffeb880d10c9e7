import type { Subscription } from 'rxjs'
import type { DropReason } from '../../machines/batcher.types.ts'
import { InvalidWeightError } from '../errors.ts'
import type { LoadFeedback } from '../feedback.ts'
import { RateLimitedReport } from '../logger.ts'
import type { ResolvedOptions } from './batcherOptions.ts'

/** Drops and invalid weights are logged at most once per this many ms. */
const REPORT_INTERVAL_MS = 10_000

/**
 * `weigh(item)` when it is a finite number >= 0; otherwise the InvalidWeightError refusing the
 * item (`weigh` threw, or gave NaN, Infinity or a negative number: any of them would break the
 * ceiling for every batch after it). Never throws.
 */
export function measureWeight<T>(weigh: (item: T) => number, item: T): number | InvalidWeightError {
  let weight: unknown
  try {
    weight = weigh(item)
  } catch (error) {
    return new InvalidWeightError(undefined, error)
  }
  return typeof weight === 'number' && weight >= 0 && weight < Infinity ? weight : new InvalidWeightError(weight)
}

/** What a batcher tells its logger about items it refused and about its feedback source, at a bounded rate. */
export class RefusalReports<T> {
  private readonly dropReport: RateLimitedReport
  private readonly invalidReport: RateLimitedReport

  constructor(private readonly options: ResolvedOptions<T>) {
    this.dropReport = new RateLimitedReport(REPORT_INTERVAL_MS, (count) =>
      options.logger.warn(`loadbatch: dropped ${count} item(s): the batcher is full (capacity ${options.capacity}) or stopped`),
    )
    this.invalidReport = new RateLimitedReport(REPORT_INTERVAL_MS, (count, error) =>
      options.logger.warn(`loadbatch: refused ${count} item(s) whose weight is no finite number >= 0`, error),
    )
  }

  /** Items refused because the batcher was full or stopped (an invalid weight is reported on its own). */
  dropped(count: number, reason: DropReason): void {
    if (reason !== 'invalidWeight') this.dropReport.note(count, this.options.scheduler.now())
  }

  /** The item's weight, or the error refusing it (reported at a bounded rate). */
  weightOf(weigh: (item: T) => number, item: T): number | InvalidWeightError {
    const weight = measureWeight(weigh, item)
    if (typeof weight !== 'number') this.invalidReport.note(1, this.options.scheduler.now(), weight)
    return weight
  }

  /** Subscribes to the options' `feedback$`; its errors (and a throwing subscribe) are logged, never thrown. */
  subscribeFeedback(next: (feedback: LoadFeedback) => void): Subscription | undefined {
    const { feedback$, logger } = this.options
    try {
      return feedback$?.subscribe({
        next,
        error: (error) => logger.error('loadbatch: feedback$ errored; adapting on flush feedback only', error),
      })
    } catch (error) {
      logger.error('loadbatch: subscribing to feedback$ threw; adapting on flush feedback only', error)
      return undefined
    }
  }
}
