import type { FlushInfo } from '../../src/batcher/flushFunction.ts'

export { manualSink, type ManualSink, type HeldBatch as SinkCall } from '../../src/testing/manualSink.ts'

/** A sink that records each batch and resolves at once. */
export function recordingSink<T>(): { flush: (batch: T[], info: FlushInfo) => Promise<void>; batches: T[][]; infos: FlushInfo[] } {
  const batches: T[][] = []
  const infos: FlushInfo[] = []
  return {
    batches,
    infos,
    flush: async (batch, info) => {
      batches.push(batch)
      infos.push(info)
    },
  }
}
