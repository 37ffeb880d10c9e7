/**
 * loadbatch/patterns: the batch-processing patterns, built on the batcher and its controllers —
 * datasets in batches, bounded fan-out, map-reduce, worker pools, stream batches and windows,
 * chunked files, retry of only the failed items, progress, a memory budget, per-key batches,
 * and RxJS interop.
 * @packageDocumentation
 */
export { processInBatches, type BatchFunction, type ProcessInBatchesOptions } from './processInBatches.ts'
export { fanOut, DEFAULT_FAN_OUT_CONCURRENCY, type FanOutOptions } from './fanOut.ts'
export { mapReduce, type MapReduceOptions, type MapReduceResult } from './mapReduce.ts'
export { workerPool, type WorkerPool, type WorkerPoolOptions } from './workerPool.ts'
export { batchStream, type BatchStreamOptions } from './batchStream.ts'
export { window, type Window, type WindowOptions, type TimeWindowOptions, type CountWindowOptions, type WindowCommonOptions } from './window.ts'
export { readChunks, type ReadChunksOptions, type TextEncoding, type FileUrl } from './readChunks.ts'
export { withRetry, type WithRetryOptions } from './withRetry.ts'
export { progress, type ProgressOptions, type ProgressSnapshot, type ProgressTracker } from './progress.ts'
export { memoryBudget, type MemoryBudget, type MemoryBudgetOptions } from './memoryBudget.ts'
export { PartialResultsError, type BatchRunResult, type FailedItem } from './partialResults.ts'
export { createKeyedBatcher, type KeyedBatcher, type KeyedBatcherOptions, type KeyedBatcherMetrics, type KeyedFlushInfo } from './keyedBatcher.ts'
export type { BatchSource } from './source.ts'
export * from '../rx/index.ts'
