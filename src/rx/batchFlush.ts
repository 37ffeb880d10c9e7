import { Observable, type OperatorFunction } from 'rxjs'
import { createBatcher, type Batcher } from '../batcher/createBatcher.ts'
import { ConfigError } from '../errors.ts'
import type { LoadFeedback } from '../feedback.ts'
import { resolveOptions, type BatcherOptions } from '../batcher/batcherOptions.ts'
import { type FlushInfo } from '../batcher/flushFunction.ts'
import { fromBatcherEvents } from './fromBatcherEvents.ts'

/** Options of {@link batchFlush}: a batcher's options, with a flush that returns a result. */
export interface BatchFlushOptions<T, R> extends Omit<BatcherOptions<T>, 'flush' | 'onDeadLetter'> {
  /** Writes one batch and returns what it became (ids, a response…); throw to fail it (a PartialBatchError fails only some items). */
  readonly flush: (batch: T[], info: FlushInfo) => Promise<R> | R
  /** Turns a flush's result into load feedback for the controller (default: none; the flush's latency is measured anyway). */
  readonly feedback?: (result: R, batch: T[]) => LoadFeedback | void
  /**
   * What happens to a value when the batcher is full (`capacity` items buffered and in flight):
   * `'wait'` (default) queues it in order until there is room — an Observable cannot be slowed,
   * so that queue grows while the sink is slower than the source; `'drop'` refuses it at once
   * (counted in the batcher's `itemsDropped`, reported by the logger).
   */
  readonly overflow?: 'wait' | 'drop'
  /** Called with the batcher behind each subscription, e.g. to read its `metrics()` or watch its actor. */
  readonly onBatcher?: (batcher: Batcher<T>) => void
}

/** What a batch became: flushed with the flush's result, or dead-lettered with the error. */
export type BatchFlushResult<T, R> =
  | { readonly type: 'flushed'; readonly batchId: number; readonly items: T[]; readonly result: R | undefined }
  | { readonly type: 'deadLettered'; readonly batchId: number; readonly items: T[]; readonly error: unknown }

/**
 * Sends every value through a load-aware batcher and emits what each batch became: like
 * `bufferTime` + `mergeMap(flush)`, but the batch size and concurrency adapt to the backend,
 * flushes are retried (only their failed items), time out, and nothing accepted is lost.
 *
 * Emits one `flushed` result per settled batch (`result` is the last successful call's return
 * value; undefined when the batch's last call failed for some of its items) and one
 * `deadLettered` result for items whose last attempt failed.
 *
 * - Backpressure: see `overflow`. Emissions happen as batches settle, not per value.
 * - Complete: the pending partial batch is flushed (the batcher drains), every outcome is
 *   emitted, then the output completes.
 * - Error: the same drain, then the error is passed on.
 * - Unsubscribe: the batcher drains in the background (what was accepted is still flushed, or
 *   dead-lettered and logged); nothing more is emitted.
 * - Empty: the flush is never called with an empty batch; an empty source completes without
 *   emitting, and an idle subscription holds no timer.
 * - Each subscription has its own batcher (cold).
 *
 * @example
 * rows$.pipe(
 *   batchFlush({ flush: (rows) => db.insertReturningIds(rows), size: { initial: 100, min: 10, max: 2000 }, maxWaitMs: 500 }),
 *   filter((outcome) => outcome.type === 'deadLettered'),
 * ).subscribe((lost) => log.error(lost.items.length, lost.error))
 */
export function batchFlush<T, R>(options: BatchFlushOptions<T, R>): OperatorFunction<T, BatchFlushResult<T, R>> {
  const { flush, feedback, overflow = 'wait', onBatcher, ...batcherOptions } = options ?? ({} as BatchFlushOptions<T, R>)
  if (typeof flush !== 'function') throw new ConfigError('flush', 'a function (batch, info) => result', flush)
  if (feedback !== undefined && typeof feedback !== 'function') throw new ConfigError('feedback', 'a function (result, batch) => LoadFeedback', feedback)
  if (overflow !== 'wait' && overflow !== 'drop') throw new ConfigError('overflow', "'wait' or 'drop'", overflow)
  // Checks the batcher's own options now, at the call, rather than at the first subscription.
  resolveOptions<T>({ ...batcherOptions, flush: () => {} })

  return (source) =>
    new Observable<BatchFlushResult<T, R>>((subscriber) => {
      const results = new Map<number, R>()
      const batcher = createBatcher<T>({
        ...batcherOptions,
        flush: async (batch, info) => {
          results.delete(info.batchId) // a retry's failure must not keep an older attempt's result
          const result = await flush(batch, info)
          results.set(info.batchId, result)
          return feedback?.(result, batch)
        },
      })
      onBatcher?.(batcher)
      const outcomes = fromBatcherEvents(batcher).subscribe((settled) => {
        if (settled.type === 'deadLettered') {
          subscriber.next(settled)
          return
        }
        const result = results.get(settled.batchId)
        results.delete(settled.batchId)
        subscriber.next({ ...settled, result })
      })
      let ended = false
      // Adds are first come, first served: once the last one is in, every earlier one is too.
      let lastAdd: Promise<void> = Promise.resolve()
      const end = (notify: () => void) => {
        ended = true
        lastAdd.then(() => batcher.stop()).then(() => {
          outcomes.unsubscribe()
          notify()
        })
      }
      const input = source.subscribe({
        next: (value) => {
          if (overflow === 'drop') batcher.tryAdd(value)
          else lastAdd = batcher.add(value).catch(() => {}) // refused only after an unsubscribe stopped it: never accepted
        },
        error: (error: unknown) => end(() => subscriber.error(error)),
        complete: () => end(() => subscriber.complete()),
      })
      return () => {
        input.unsubscribe()
        outcomes.unsubscribe()
        if (!ended) void batcher.stop()
      }
    })
}
