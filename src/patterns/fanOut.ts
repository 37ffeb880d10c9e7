import { ConfigError } from '../errors.ts'
import type { BatchRunResult } from './partialResults.ts'
import { processInBatches, type ProcessInBatchesOptions } from './processInBatches.ts'
import type { BatchSource } from './source.ts'

/** Options of {@link fanOut}: those of processInBatches that make sense one item at a time. */
export type FanOutOptions<T> = Omit<ProcessInBatchesOptions<T>, 'batchSize' | 'size' | 'targetLatencyMs' | 'maxWaitMs'>

/** Default bound of {@link fanOut}: enough to overlap I/O, few enough not to flood a backend. */
export const DEFAULT_FAN_OUT_CONCURRENCY = 8

/**
 * Runs `fn` on every item with at most `concurrency` calls at once (default 8) and resolves
 * with each result at its input position and each failure with its cause. Unlike the batch
 * guide's FanOut, there is always a bound: a million items never start a million calls, and
 * the source is read only as fast as calls finish. A range `{ initial, min, max }` lets the
 * controller adapt the bound.
 *
 * @example
 * const { results, failures } = await fanOut(urls, (url, signal) => fetch(url, { signal }).then((r) => r.status), { concurrency: 16 })
 */
export function fanOut<T, R>(
  items: BatchSource<T>,
  fn: (item: T, signal: AbortSignal) => Promise<R> | R,
  options: FanOutOptions<T> = {},
): Promise<BatchRunResult<T, R>> {
  if (typeof fn !== 'function') throw new ConfigError('fn', 'a function (item, signal) => result', fn)
  return processInBatches<T, R>(items, async ([item], info) => [await fn(item as T, info.signal)], {
    ...options,
    size: 1,
    concurrency: options.concurrency ?? DEFAULT_FAN_OUT_CONCURRENCY,
  })
}
