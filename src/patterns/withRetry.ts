import { asyncScheduler, type SchedulerLike } from 'rxjs'
import { AbortError, ConfigError } from '../errors.ts'
import { scheduleAfter } from '../scheduler.ts'
import type { FlushInfo } from '../batcher/flushFunction.ts'
import { backoffDelay, resolveRetry, type RetryOptions } from '../retry.ts'
import { attemptBatch, succeededIndexes } from './batchAttempt.ts'
import { PartialResultsError } from './partialResults.ts'
import type { BatchFunction } from './processInBatches.ts'

/** Options of {@link withRetry}: the batcher's retry options, plus a signal and a time source. */
export interface WithRetryOptions extends RetryOptions {
  /** Aborts the waits between tries (the batch then fails with AbortError for the items left). */
  readonly signal?: AbortSignal
  /** Time source of the backoff (default: RxJS `asyncScheduler`, whose timer keeps the process alive while a retry waits). */
  readonly scheduler?: SchedulerLike
  /** Random numbers for jitter (default Math.random). */
  readonly random?: () => number
  /** Called before each retry with its number (1 for the first), the items it retries and the delay before it, in ms. */
  readonly onRetry?: (retry: number, items: number, delayMs: number) => void
}

/**
 * Wraps a batch function so a failure is retried with exponential backoff and jitter (the
 * batcher's own policy and defaults: 3 attempts, 100 ms doubling to 10 s), retrying only the
 * failed items of a partial failure and keeping the results of the others.
 *
 * The wrapped function resolves with one result per item when everything succeeded in the
 * end, and otherwise throws a {@link PartialResultsError}: the results of the items that
 * succeeded, and for each item that did not, its index in the batch and its last cause.
 * An abort (options.signal or the caller's `info.signal`) ends the waiting at once.
 *
 * @example
 * await processInBatches(rows, withRetry(insertRows, { attempts: 5, backoffMs: 200 }), { batchSize: 500 })
 */
export function withRetry<T, R>(fn: BatchFunction<T, R>, options: WithRetryOptions = {}): (batch: T[], info?: FlushInfo) => Promise<(R | undefined)[]> {
  if (typeof fn !== 'function') throw new ConfigError('fn', 'a function (batch, info) => results', fn)
  const { signal: ownSignal, scheduler = asyncScheduler, random = Math.random, onRetry, ...retry } = options
  const policy = resolveRetry(retry, 'retry')
  if (onRetry !== undefined && typeof onRetry !== 'function') throw new ConfigError('onRetry', 'a function (retry, items, delayMs) => void', onRetry)

  return async (batch, info) => {
    const signal = anySignal(ownSignal, info?.signal)
    const results: (R | undefined)[] = new Array(batch.length)
    let pending = batch.map((_, index) => index)
    const causes = new Map<number, unknown>()
    for (let attempt = 1; ; attempt++) {
      const items = pending.map((index) => batch[index]!)
      const tried = await attemptBatch(fn, items, { signal, attempt, batchId: info?.batchId ?? 0, batchSize: info?.batchSize ?? batch.length, trigger: info?.trigger ?? 'manual' })
      for (const i of succeededIndexes(tried, items.length)) results[pending[i]!] = tried.results[i]
      for (const failure of tried.failures) causes.set(pending[failure.index]!, failure.cause)
      pending = tried.failures.map((failure) => pending[failure.index]!).sort((a, b) => a - b)
      if (pending.length === 0) return results
      if (attempt >= policy.attempts || signal.aborted) break
      const delayMs = backoffDelay(attempt, policy, random)
      try {
        onRetry?.(attempt, pending.length, delayMs)
      } catch {
        // an observer that throws does not change what is retried
      }
      if (!(await wait(scheduler, delayMs, signal))) {
        for (const index of pending) causes.set(index, new AbortError(signal.reason))
        break
      }
    }
    throw new PartialResultsError(results, pending.map((index) => ({ index, cause: causes.get(index) })))
  }
}

/** Waits `ms` on `scheduler`; false when `signal` aborted first. */
function wait(scheduler: SchedulerLike, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false)
  return new Promise((resolve) => {
    const onAbort = () => {
      timer.unsubscribe()
      resolve(false)
    }
    const timer = scheduleAfter(scheduler, ms, () => {
      signal.removeEventListener('abort', onAbort)
      resolve(true)
    })
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** A signal that aborts when either given signal does (an unaborted one when neither is given). */
function anySignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal {
  if (a && b) return AbortSignal.any([a, b])
  return a ?? b ?? new AbortController().signal
}
