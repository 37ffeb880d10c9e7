import { isObservable, type Observable, type SchedulerLike } from 'rxjs'
import { createBatcher } from '../batcher/createBatcher.ts'
import { checkFinite, checkNumber } from '../checkOption.ts'
import { ConfigError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { checkSource, type BatchSource } from './source.ts'
import { stageOnIterable, stageOnObservable, type StreamStage } from './streamStage.ts'

/** Options of {@link batchStream}. */
export interface BatchStreamOptions<T> {
  /** Items per batch: a batch is cut as soon as it holds this many. An integer >= 1. Required. */
  readonly size: number
  /** Longest the first item of a partial batch waits, in ms (default Infinity: only size and the end of the source cut). */
  readonly maxWaitMs?: number
  /** Cancels an async-iterable stream (the loop then throws AbortError); Observables cancel by unsubscribing. */
  readonly signal?: AbortSignal
  /**
   * Gets the items that were read but never delivered when the stream is cancelled (never with
   * an empty array). Called once more if an async source answers a read pending at the cancel.
   */
  readonly onCancel?: (pending: T[]) => void
  /** Time source of `maxWaitMs` (default: real time). */
  readonly scheduler?: SchedulerLike
  /** Where errors of `onCancel` are reported (default: silent). */
  readonly logger?: Logger
}

/**
 * Groups a stream into batches of `size` items, cutting a partial batch after `maxWaitMs`:
 * the batch guide's stream batcher, on a batcher (so time comes from the injected scheduler).
 * Works on an Observable (returns an Observable of batches) and on an iterable or async
 * iterable (returns an async iterable of batches, reading the source only as fast as batches
 * are taken).
 *
 * Complete: the pending partial batch is emitted, then the stream completes. Error: the
 * pending batch is emitted, then the error. Cancel (unsubscribe, `break`, or `signal`): the
 * items read but not delivered go to `onCancel` — never silently dropped (the guide's defect).
 *
 * @example
 * for await (const rows of batchStream(readRows(), { size: 500, maxWaitMs: 1000 })) await insert(rows)
 * @example
 * batchStream(clicks$, { size: 100, maxWaitMs: 5000 }).subscribe((batch) => send(batch))
 */
export function batchStream<T>(source: Observable<T>, options: BatchStreamOptions<T>): Observable<T[]>
export function batchStream<T>(source: BatchSource<T>, options: BatchStreamOptions<T>): AsyncGenerator<T[], void, undefined>
export function batchStream<T>(source: Observable<T> | BatchSource<T>, options: BatchStreamOptions<T>): Observable<T[]> | AsyncGenerator<T[], void, undefined> {
  const size = checkFinite('size', options?.size, 'an integer >= 1', (v) => Number.isInteger(v) && v >= 1)
  const maxWaitMs = checkNumber('maxWaitMs', options.maxWaitMs, Infinity, { min: 1, max: Infinity })
  if (options.onCancel !== undefined && typeof options.onCancel !== 'function') throw new ConfigError('onCancel', 'a function (pending) => void', options.onCancel)
  const makeStage = (emit: (batch: T[]) => void): StreamStage<T, T[]> => {
    let diverted: T[] | undefined
    const batcher = createBatcher<T>({
      size, maxWaitMs, capacity: size, concurrency: 1, retry: { attempts: 1 },
      ...(options.scheduler ? { scheduler: options.scheduler } : {}),
      // Synchronous, so a full batch leaves at once and `add` always finds room.
      flush: (batch) => {
        if (diverted) diverted.push(...batch)
        else emit(batch)
      },
    })
    const handOver = (pending: T[]) => {
      if (pending.length === 0 || !options.onCancel) return
      try {
        options.onCancel(pending)
      } catch (error) {
        options.logger?.error('loadbatch: batchStream onCancel threw', error)
      }
    }
    return {
      add: (item) => batcher.add(item),
      late: (item) => handOver([item]),
      complete: () => batcher.stop(),
      async cancel(unconsumed) {
        diverted = unconsumed.flat()
        await batcher.stop()
        handOver(diverted)
      },
    }
  }
  if (isObservable(source)) return stageOnObservable(source, makeStage)
  checkSource('source', source)
  return stageOnIterable(source, makeStage, options.signal)
}
