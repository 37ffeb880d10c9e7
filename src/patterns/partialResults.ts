import { PartialBatchError, type ItemFailure } from '../errors.ts'
import type { BatcherMetrics } from '../metrics.ts'

/**
 * A {@link PartialBatchError} that also carries the results of the items that succeeded, so a
 * batch function of {@link processInBatches} or {@link withRetry} can report a partial failure
 * without throwing its successes away. `results[i]` is the result of the batch's item `i`;
 * the entries of failed items are ignored. Batchers treat it as any PartialBatchError: only
 * the failed items are retried.
 *
 * @example
 * throw new PartialResultsError(rows.map((row) => row.id), [{ index: 2, cause: new Error('duplicate key') }])
 */
export class PartialResultsError<R> extends PartialBatchError {
  /** One entry per item of the batch; entries of failed items are undefined or ignored. */
  readonly results: readonly (R | undefined)[]
  constructor(results: readonly (R | undefined)[], failures: readonly ItemFailure[], message?: string) {
    super(failures, message)
    this.results = results
  }
}

/** One item that failed for good, by its position in the input, with its last cause. */
export interface FailedItem<T> {
  /** Position of the item in the input (0-based). */
  readonly index: number
  /** The item itself. */
  readonly item: T
  /** Why it failed (the last attempt's error for this item). */
  readonly cause: unknown
}

/**
 * What a batch run became: a result per input position and every failure with its cause.
 * Nothing is thrown away at the first error (the batch guide's defect): the run goes on and
 * reports each failed index.
 */
export interface BatchRunResult<T, R> {
  /** `results[i]` is the result of input item `i`; undefined for a failed (or never read) item. */
  readonly results: (R | undefined)[]
  /** The failed items, in input order. */
  readonly failures: FailedItem<T>[]
  /** Items read from the source. */
  readonly count: number
  /** True when every item read succeeded and the run was not aborted. */
  readonly ok: boolean
  /** True when the run's signal aborted it; items read but unfinished are failures with an AbortError. */
  readonly aborted: boolean
  /** The counters of the batcher behind the run: batches, their sizes and durations, retries (a worker pool's are cumulative). */
  readonly metrics: BatcherMetrics
}

/** The per-item failures of a batch function's error: those named by a PartialBatchError, else every item. */
export function failuresOf(error: unknown, batchLength: number): ItemFailure[] {
  if (error instanceof PartialBatchError && error.failures.every((f) => Number.isInteger(f.index) && f.index >= 0 && f.index < batchLength)) {
    return [...error.failures]
  }
  return Array.from({ length: batchLength }, (_, index) => ({ index, cause: error }))
}

/** The results a batch function's error still carries (those of a {@link PartialResultsError}). */
export function resultsOf<R>(error: unknown): readonly (R | undefined)[] | undefined {
  return error instanceof PartialResultsError ? (error.results as readonly (R | undefined)[]) : undefined
}

/** A batch function's answer as one result per item (all undefined when it returned nothing); a TypeError for a wrong count. */
export function answerResults<R>(output: readonly R[] | void, length: number): readonly (R | undefined)[] {
  if (output === undefined) return new Array<undefined>(length)
  if (!Array.isArray(output) || output.length !== length) {
    throw new TypeError(`The batch function returned ${Array.isArray(output) ? `${output.length} results` : String(output)} for ${length} items; return one result per item, or nothing`)
  }
  return output
}
