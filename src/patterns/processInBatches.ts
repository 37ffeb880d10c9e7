import type { SchedulerLike } from 'rxjs'
import { createBatcher } from '../batcher/createBatcher.ts'
import { checkNumber } from '../checkOption.ts'
import type { Controller } from '../controllers/controller.ts'
import { latencyTarget } from '../controllers/latencyTarget.ts'
import { AbortError, ConfigError, InvalidWeightError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { resolveAdaptive, type Adaptive } from '../batcher/batcherOptions.ts'
import { type FlushInfo } from '../batcher/flushFunction.ts'
import type { RetryOptions } from '../retry.ts'
import { memoryBudget } from './memoryBudget.ts'
import { attemptBatch, succeededIndexes } from './batchAttempt.ts'
import { type BatchRunResult, type FailedItem } from './partialResults.ts'
import { progress, type ProgressSnapshot } from './progress.ts'
import { checkSource, knownLength, SourceReader, type BatchSource } from './source.ts'
import { untilAborted } from './untilAborted.ts'

/**
 * Processes one batch. Returns one result per item, in the batch's order (or nothing, when
 * there are no results to keep). Throw (or reject) to fail the whole batch; throw a
 * `PartialBatchError` naming the failed indexes to fail only those — a
 * {@link PartialResultsError} also hands over the results of the others.
 * `info.signal` aborts when the run is aborted or the batch times out.
 */
export type BatchFunction<T, R> = (batch: T[], info: FlushInfo) => Promise<readonly R[] | void> | readonly R[] | void

/** Options of {@link processInBatches}. */
export interface ProcessInBatchesOptions<T> {
  /** Items per batch, fixed (default 100). Give either this or `size`. */
  readonly batchSize?: number
  /** Items per batch: a number, or a range `{ initial, min, max }` that adapts to the batches' latency. */
  readonly size?: Adaptive
  /** With a size range: the batch latency to stay under, in ms; the size is steered by `latencyTarget({ targetMs })`. */
  readonly targetLatencyMs?: number
  /** With a size range: the controller (default `latencyTarget` when `targetLatencyMs` is set, else the batcher's default). */
  readonly controller?: Controller<any>
  /** Batches in flight at once (default 1); a range lets the controller adapt it. */
  readonly concurrency?: Adaptive
  /** Longest a partial batch waits for more items from a slow source, in ms (default Infinity: until full or the source ends). */
  readonly maxWaitMs?: number
  /** A batch running longer fails with FlushTimeoutError (default 30 000 ms). */
  readonly flushTimeoutMs?: number
  /** Retries of a failed batch, only its failed items (default `{ attempts: 1 }`: no retry, failures are reported). */
  readonly retry?: RetryOptions
  /** Aborts the run: reading stops, running batches see their signal abort, unfinished items become failures. */
  readonly signal?: AbortSignal
  /** Called after each batch settles with where the run stands (never NaN). */
  readonly onProgress?: (progress: ProgressSnapshot) => void
  /** Most weight (see `weigh`) read but not settled at once; a batch that would overrun it waits. Default Infinity. */
  readonly maxInFlightBytes?: number
  /** An item's weight for `maxInFlightBytes` (e.g. its size in bytes). Required with `maxInFlightBytes`. */
  readonly weigh?: (item: T) => number
  /** Items read ahead of the running batches (default: the largest size × (largest concurrency + 1)). */
  readonly capacity?: number
  /** Time source (default: real time; the batcher keeps the process alive while items are in flight). A VirtualTimeScheduler makes a run deterministic. */
  readonly scheduler?: SchedulerLike
  /** Random numbers for retry jitter (default Math.random). */
  readonly random?: () => number
  /** Where the batcher reports what it cannot throw (default: silent). */
  readonly logger?: Logger
}

/** One input item on its way through the batcher, with its position and weight. */
interface Entry<T> {
  readonly index: number
  readonly item: T
  readonly weight: number
}

/**
 * Processes a dataset in batches through a batcher: reads `source` lazily (an array, an
 * iterable, or an async iterable of 100 M lines never sits in memory: reading waits for room),
 * runs `fn` on each batch with at most `concurrency` at once, and resolves with a result per
 * input position and every failed item with its cause. One failed batch never discards the
 * others (the batch guide's defect): failures are reported, not thrown.
 *
 * A size range adapts the batch size from the batches' latency (`targetLatencyMs`, or your
 * `controller`). A persistent error cannot spin the loop: each batch gets `retry.attempts`
 * tries, then its items are reported failed and reading goes on.
 *
 * Edge cases: an empty source resolves at once with no results; an abort resolves (not
 * rejects) with `aborted: true`, items not finished reported as AbortError failures and
 * the rest of the source unread; a source that throws rejects after every item already read
 * has settled.
 *
 * @throws ConfigError (synchronously, before reading) for a bad option.
 * @example
 * const { results, failures } = await processInBatches(rows, (batch) => db.insertReturningIds(batch), { batchSize: 500, concurrency: 4 })
 */
export function processInBatches<T, R>(source: BatchSource<T>, fn: BatchFunction<T, R>, options: ProcessInBatchesOptions<T> = {}): Promise<BatchRunResult<T, R>> {
  // Options are checked here, synchronously; the run itself is the async function below.
  checkSource('source', source)
  if (typeof fn !== 'function') throw new ConfigError('fn', 'a function (batch, info) => results', fn)
  if (options.batchSize !== undefined && options.size !== undefined) throw new ConfigError('batchSize', 'left out when `size` is given (they are the same option)', options.batchSize)
  const size = resolveAdaptive(options.batchSize !== undefined ? 'batchSize' : 'size', options.batchSize ?? options.size ?? 100)
  const concurrency = resolveAdaptive('concurrency', options.concurrency ?? 1)
  const maxInFlightBytes = checkNumber('maxInFlightBytes', options.maxInFlightBytes, Infinity, { min: 0, above: true, max: Infinity })
  if (options.maxInFlightBytes !== undefined && typeof options.weigh !== 'function') {
    throw new ConfigError('weigh', 'a function (item) => number when maxInFlightBytes is set', options.weigh)
  }
  const capacity = checkNumber('capacity', options.capacity, size.max * (concurrency.max + 1), { min: size.max, integer: true })
  const controller = options.controller ?? (options.targetLatencyMs !== undefined ? latencyTarget({ targetMs: options.targetLatencyMs }) : undefined)
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new ConfigError('onProgress', 'a function (progress) => void', options.onProgress)
  const budget = maxInFlightBytes === Infinity ? undefined : memoryBudget({ maxInFlightBytes })
  const weigh = budget ? options.weigh! : () => 0
  const { signal, scheduler } = options
  const tracker = progress({ total: knownLength(source), ...(scheduler ? { scheduler } : {}) })

  const run = async (): Promise<BatchRunResult<T, R>> => {
    const results: (R | undefined)[] = []
    let aborted = false
    const failures = new Map<number, FailedItem<T>>()
    const lastCause = new Map<number, unknown>()
    const report = () => {
      try {
        options.onProgress?.(tracker.snapshot())
      } catch (error) {
        options.logger?.error('loadbatch: onProgress threw', error)
      }
    }
    const settle = (entries: readonly Entry<T>[], failed: boolean) => {
      for (const entry of entries) budget?.release(entry.weight)
      tracker.add(entries.length, failed ? entries.length : 0)
    }

    const batcher = createBatcher<Entry<T>>({
      size, concurrency, capacity,
      maxWaitMs: options.maxWaitMs ?? Infinity,
      flushTimeoutMs: options.flushTimeoutMs ?? 30_000,
      retry: { attempts: 1, ...options.retry },
      ...(controller ? { controller } : {}),
      ...(scheduler ? { scheduler } : {}),
      ...(options.random ? { random: options.random } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      flush: async (entries, info) => {
        if (aborted) throw new AbortError(signal?.reason) // cut by the drain after an abort: not started
        const attempt = await attemptBatch(fn, entries.map((entry) => entry.item), info)
        // Answered after its timeout or an abort: the batcher already gave up on this attempt.
        if (info.signal.aborted) throw attempt.thrown ? attempt.thrown.error : info.signal.reason
        for (const failure of attempt.failures) lastCause.set(entries[failure.index]!.index, failure.cause)
        const succeeded = succeededIndexes(attempt, entries.length).map((i) => {
          const entry = entries[i]!
          results[entry.index] = attempt.results[i]
          lastCause.delete(entry.index)
          return entry
        })
        if (succeeded.length > 0) {
          settle(succeeded, false)
          report()
        }
        if (attempt.thrown) throw attempt.thrown.error
      },
      onDeadLetter: (entries, error) => {
        for (const entry of entries) {
          const cause = aborted ? new AbortError(signal?.reason) : (lastCause.get(entry.index) ?? error)
          failures.set(entry.index, { index: entry.index, item: entry.item, cause })
          lastCause.delete(entry.index)
        }
        settle(entries, true)
        report()
      },
    })

    const reader = new SourceReader(source, signal)
    let count = 0
    let sourceError: { error: unknown } | undefined
    try {
      for (;;) {
        const next = await reader.next()
        if (next === 'aborted') {
          aborted = true
          break
        }
        if (next.done) break
        const weight = weightOf(weigh, next.value)
        if (weight instanceof InvalidWeightError) {
          // A bad weight is that item's failure, not the run's: report it and read on.
          failures.set(count, { index: count, item: next.value, cause: weight })
          count++
          tracker.add(1, 1)
          report()
          continue
        }
        const entry: Entry<T> = { index: count++, item: next.value, weight }
        let held = false
        try {
          // Hold the item back while the budget is spent; cut the partial batch holding it so it can free.
          if (budget) await budget.acquire(weight, { ...(signal ? { signal } : {}), onWait: () => void batcher.flush() })
          held = true
          await batcher.add(entry, signal ? { signal } : undefined)
        } catch (error) {
          // Read but never accepted (an abort while it waited for room): still reported.
          if (held) budget?.release(weight)
          failures.set(entry.index, { index: entry.index, item: entry.item, cause: error })
          tracker.add(1, 1)
          throw error
        }
      }
    } catch (error) {
      if (error instanceof AbortError || signal?.aborted) aborted = true
      else sourceError = { error }
    } finally {
      reader.close()
    }
    // Wait for what was read to settle; an abort meanwhile cuts that short too.
    if (!aborted && (await untilAborted(batcher.flush(), signal)) === 'aborted') aborted = true
    // After an abort, running batches are aborted at once and every unfinished item is reported.
    await batcher.stop(aborted ? { timeoutMs: 0 } : undefined)
    if (sourceError) throw sourceError.error
    const failed = [...failures.values()].sort((a, b) => a.index - b.index)
    results.length = count
    return { results, failures: failed, count, ok: !aborted && failed.length === 0, aborted, metrics: batcher.metrics() }
  }
  return run()
}

/** An item's weight, or the InvalidWeightError that refuses it (weigh threw, or gave a number that is not finite and >= 0). */
function weightOf<T>(weigh: (item: T) => number, item: T): number | InvalidWeightError {
  let weight: number
  try {
    weight = weigh(item)
  } catch (error) {
    return new InvalidWeightError(undefined, error)
  }
  return Number.isFinite(weight) && weight >= 0 ? weight : new InvalidWeightError(weight)
}
