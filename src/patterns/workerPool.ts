import type { SchedulerLike } from 'rxjs'
import { createBatcher } from '../batcher/createBatcher.ts'
import { checkNumber } from '../checkOption.ts'
import type { Controller } from '../controllers/controller.ts'
import { ConfigError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import type { BatcherMetrics } from '../metrics.ts'
import type { Adaptive } from '../batcher/batcherOptions.ts'
import type { RetryOptions } from '../retry.ts'
import { attemptBatch, succeededIndexes } from './batchAttempt.ts'
import type { BatchRunResult, FailedItem } from './partialResults.ts'
import type { BatchFunction } from './processInBatches.ts'
import { SourceReader, checkSource, type BatchSource } from './source.ts'

/** Options of {@link workerPool}. */
export interface WorkerPoolOptions<T, R> {
  /** Processes one batch; see {@link BatchFunction}. Required. */
  readonly process: BatchFunction<T, R>
  /** Batches processed at once (default 4); a range lets the controller adapt it. */
  readonly workers?: Adaptive
  /** Items per batch (default 100); a range adapts it. */
  readonly batchSize?: Adaptive
  /** Longest an item waits for its batch to fill, in ms (default 10). */
  readonly maxWaitMs?: number
  /** Items queued and in flight before `run` waits (default: the largest batch × (workers + 1)). */
  readonly capacity?: number
  /** Steers batch size and workers when either is a range (default: the batcher's). */
  readonly controller?: Controller<any>
  /** Retries of a failed batch, only its failed items (default 1 attempt: failures go to their callers). */
  readonly retry?: RetryOptions
  /** A batch running longer fails with FlushTimeoutError (default 30 000 ms). */
  readonly flushTimeoutMs?: number
  /** Time source (default: real time). */
  readonly scheduler?: SchedulerLike
  /** Where the pool reports what it cannot throw (default: silent). */
  readonly logger?: Logger
}

/** A running worker pool; see {@link workerPool}. */
export interface WorkerPool<T, R> {
  /** Queues one item; resolves with its result, or rejects with its cause when it failed. */
  run(item: T, options?: { signal?: AbortSignal }): Promise<R>
  /**
   * Queues every item of `source` (read lazily, as the pool has room) and resolves with the results in input
   * order and the failures by index. An abort stops the reading; items already queued still run (the pool is shared).
   */
  runAll(source: BatchSource<T>, options?: { signal?: AbortSignal }): Promise<BatchRunResult<T, R>>
  /** Finishes what is queued, then stops: later `run` calls reject with BatcherStoppedError. */
  stop(): Promise<void>
  /** The counters of the batcher behind the pool. */
  metrics(): BatcherMetrics
}

/** An item in the pool with the promise of its caller. */
interface Job<T, R> {
  readonly item: T
  resolve(result: R): void
  reject(cause: unknown): void
}

/**
 * A fixed (or adaptive) number of workers that process batches of queued items: the batch
 * guide's worker pool, long-lived and built on one batcher (its concurrency is the workers).
 * `run` resolves each caller with its own item's result; `runAll` returns results in input
 * order whichever worker finished first, and reports failures per item instead of stopping
 * at the first.
 *
 * @example
 * const pool = workerPool({ workers: 4, batchSize: 50, process: (texts) => embed(texts) })
 * const vector = await pool.run('hello')
 * const { results } = await pool.runAll(documents)
 * await pool.stop()
 */
export function workerPool<T, R>(options: WorkerPoolOptions<T, R>): WorkerPool<T, R> {
  if (typeof options?.process !== 'function') throw new ConfigError('process', 'a function (batch, info) => results', options?.process)
  const { process } = options
  const lastCause = new WeakMap<Job<T, R>, unknown>()
  const batcher = createBatcher<Job<T, R>>({
    size: options.batchSize ?? 100,
    concurrency: options.workers ?? 4,
    maxWaitMs: checkNumber('maxWaitMs', options.maxWaitMs, 10, { min: 1, max: Infinity }),
    flushTimeoutMs: options.flushTimeoutMs ?? 30_000,
    retry: { attempts: 1, ...options.retry },
    ...(options.capacity !== undefined ? { capacity: options.capacity } : {}),
    ...(options.controller ? { controller: options.controller } : {}),
    ...(options.scheduler ? { scheduler: options.scheduler } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    flush: async (jobs, info) => {
      const attempt = await attemptBatch(process, jobs.map((job) => job.item), info)
      if (info.signal.aborted) throw attempt.thrown ? attempt.thrown.error : info.signal.reason
      for (const i of succeededIndexes(attempt, jobs.length)) jobs[i]!.resolve(attempt.results[i] as R)
      for (const failure of attempt.failures) lastCause.set(jobs[failure.index]!, failure.cause)
      if (attempt.thrown) throw attempt.thrown.error
    },
    onDeadLetter: (jobs, error) => {
      for (const job of jobs) job.reject(lastCause.get(job) ?? error)
    },
  })

  const run = (item: T, runOptions?: { signal?: AbortSignal }) =>
    new Promise<R>((resolve, reject) => {
      batcher.add({ item, resolve, reject }, runOptions).catch(reject)
    })

  return {
    run,
    async runAll(source, runOptions) {
      checkSource('source', source)
      const signal = runOptions?.signal
      const reader = new SourceReader(source, signal)
      const settled: Promise<void>[] = []
      const results: (R | undefined)[] = []
      const failures: FailedItem<T>[] = []
      let aborted = false
      try {
        for (let index = 0; ; index++) {
          const next = await reader.next()
          if (next === 'aborted') {
            aborted = true
            break
          }
          if (next.done) break
          const item = next.value
          let accepted!: () => void
          const admitted = new Promise<void>((resolve) => (accepted = resolve))
          // Wait for room before reading on, so a huge source is not queued all at once.
          const done = new Promise<R>((resolve, reject) => {
            batcher.add({ item, resolve, reject }, signal ? { signal } : undefined).then(accepted, (error: unknown) => {
              accepted()
              reject(error)
            })
          })
          settled.push(done.then((result) => void (results[index] = result), (cause: unknown) => void failures.push({ index, item, cause })))
          await admitted
          if (signal?.aborted) {
            aborted = true
            break
          }
        }
      } finally {
        reader.close()
      }
      await Promise.all(settled)
      results.length = settled.length
      failures.sort((a, b) => a.index - b.index)
      return { results, failures, count: settled.length, ok: !aborted && failures.length === 0, aborted, metrics: batcher.metrics() }
    },
    stop: () => batcher.stop(),
    metrics: () => batcher.metrics(),
  }
}
