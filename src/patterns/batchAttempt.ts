import type { ItemFailure } from '../errors.ts'
import type { FlushInfo } from '../batcher/flushFunction.ts'
import { answerResults, failuresOf, resultsOf } from './partialResults.ts'
import type { BatchFunction } from './processInBatches.ts'

/** One try of a batch function, split per item. */
export interface BatchAttempt<R> {
  /** For each item of the batch: its result when it succeeded (undefined for a failed one). */
  readonly results: readonly (R | undefined)[]
  /** The items that failed, by index within the batch, with their causes (empty on success). */
  readonly failures: readonly ItemFailure[]
  /** What the function threw, to hand on to a batcher so it retries only the failed items. */
  readonly thrown: { readonly error: unknown } | undefined
}

/**
 * Calls `fn` once on `items` and splits its answer per item: a result array of the right
 * length succeeds every item; a PartialBatchError fails the items it names (keeping a
 * PartialResultsError's other results); anything else thrown, or a wrong number of results,
 * fails every item. Never rejects.
 */
export async function attemptBatch<T, R>(fn: BatchFunction<T, R>, items: T[], info: FlushInfo): Promise<BatchAttempt<R>> {
  try {
    return { results: answerResults(await fn(items, info), items.length), failures: [], thrown: undefined }
  } catch (error) {
    const failures = failuresOf(error, items.length)
    const failed = new Set(failures.map((failure) => failure.index))
    const partial = resultsOf<R>(error)
    const results = items.map((_, i) => (failed.has(i) ? undefined : partial?.[i]))
    return { results, failures, thrown: { error } }
  }
}

/** Indexes of the items that succeeded in `attempt`. */
export function succeededIndexes(attempt: BatchAttempt<unknown>, length: number): number[] {
  const failed = new Set(attempt.failures.map((failure) => failure.index))
  return Array.from({ length }, (_, i) => i).filter((i) => !failed.has(i))
}
