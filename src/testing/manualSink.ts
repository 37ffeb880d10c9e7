import type { LoadFeedback } from '../feedback.ts'
import { PartialBatchError } from '../errors.ts'
import type { FlushInfo } from '../batcher/flushFunction.ts'

/** One call of a {@link ManualSink}: the batch, its info, and the ways to settle it by hand. */
export interface HeldBatch<T> {
  /** The items handed to the flush function. */
  readonly batch: T[]
  /** What the batcher told the flush function (attempt, batchId, trigger, signal …). */
  readonly info: FlushInfo
  /** True once `resolve`, `reject` or `failItems` was called. */
  readonly settled: boolean
  /** The flush succeeds, optionally returning load feedback. */
  resolve(feedback?: LoadFeedback): void
  /** The whole flush fails with `error` (the batch is retried, then dead-lettered). */
  reject(error: unknown): void
  /** Only the items at `indexes` (within this batch) fail, with `cause`: a `PartialBatchError`, so only they are retried. */
  failItems(indexes: readonly number[], cause?: unknown): void
}

/** A flush function whose calls are held until the test settles each one, in any order, or never. */
export interface ManualSink<T> {
  /** Pass it as the batcher's `flush`. */
  readonly flush: (batch: T[], info: FlushInfo) => Promise<LoadFeedback | void>
  /** Every call so far, oldest first, settled or not. */
  readonly calls: readonly HeldBatch<T>[]
  /** The calls not settled yet, oldest first. */
  pending(): HeldBatch<T>[]
  /** Every item of every call, in call order (a retried batch appears once per attempt). */
  items(): T[]
  /** Resolves every pending call (with `feedback`); returns how many. */
  resolveAll(feedback?: LoadFeedback): number
}

/**
 * A sink that holds every batch until the test settles it: `resolve`, `reject`, or
 * `failItems` (a partial failure). Held batches are what make the `flushing` state
 * observable in a test; combine it with {@link createVirtualTime} to fire timers by hand.
 *
 * A call whose `info.signal` aborts (flush timeout, forced stop) stays pending here: the
 * batcher has already moved on, and settling it afterwards is harmless, as with a real sink
 * that ignores the signal.
 *
 * @example
 * const sink = manualSink<number>()
 * const batcher = createBatcher({ flush: sink.flush, size: 2 })
 * batcher.addMany([1, 2])
 * sink.pending()[0].failItems([1], new Error('row 2 rejected')) // item 2 is retried alone
 */
export function manualSink<T>(): ManualSink<T> {
  const calls: HeldBatch<T>[] = []
  const flush = (batch: T[], info: FlushInfo) =>
    new Promise<LoadFeedback | void>((resolve, reject) => {
      let settled = false
      const settle = (then: () => void) => {
        if (settled) return
        settled = true
        then()
      }
      calls.push({
        batch,
        info,
        get settled() {
          return settled
        },
        resolve: (feedback) => settle(() => resolve(feedback)),
        reject: (error) => settle(() => reject(error)),
        failItems: (indexes, cause = new Error('failed by the test')) =>
          settle(() => reject(new PartialBatchError(indexes.map((index) => ({ index, cause }))))),
      })
    })
  const pending = () => calls.filter((call) => !call.settled)
  return {
    flush,
    calls,
    pending,
    items: () => calls.flatMap((call) => call.batch),
    resolveAll(feedback) {
      const open = pending()
      for (const call of open) call.resolve(feedback)
      return open.length
    },
  }
}
