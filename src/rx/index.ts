/** RxJS interop: a load-aware batcher as an operator, and a batcher's settled batches as an Observable. */
export { batchFlush, type BatchFlushOptions, type BatchFlushResult } from './batchFlush.ts'
export { fromBatcherEvents, type SettledBatch } from './fromBatcherEvents.ts'
