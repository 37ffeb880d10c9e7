import type { FlushInfo } from '../../src/options.ts'
import type { LoadFeedback } from '../../src/feedback.ts'

/** One call of a {@link ManualSink}: the batch, its info, and how to settle it. */
export interface SinkCall<T> {
  batch: T[]
  info: FlushInfo
  resolve(feedback?: LoadFeedback): void
  reject(error: unknown): void
}

/** A flush function whose calls the test settles by hand, in any order, or never. */
export interface ManualSink<T> {
  flush: (batch: T[], info: FlushInfo) => Promise<LoadFeedback | void>
  calls: SinkCall<T>[]
  /** Calls not settled yet, oldest first. */
  pending(): SinkCall<T>[]
  /** Every item of every call, in call order. */
  items(): T[]
}

/** A sink that waits for the test to settle each call. */
export function manualSink<T>(): ManualSink<T> {
  const calls: (SinkCall<T> & { settled: boolean })[] = []
  return {
    calls,
    flush: (batch, info) =>
      new Promise((resolve, reject) => {
        const call = {
          batch, info, settled: false,
          resolve: (feedback?: LoadFeedback) => { call.settled = true; resolve(feedback) },
          reject: (error: unknown) => { call.settled = true; reject(error) },
        }
        calls.push(call)
      }),
    pending: () => calls.filter((c) => !c.settled),
    items: () => calls.flatMap((c) => c.batch),
  }
}

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
