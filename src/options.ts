import type { Observable, SchedulerLike } from 'rxjs'
import type { InspectionEvent, Observer } from 'xstate'
import type { FlushTrigger } from '../machines/batcher.machine.ts'
import type { Bounds, Controller } from './controllers/controller.ts'
import { fixed } from './controllers/fixed.ts'
import { loadScore } from './controllers/loadScore.ts'
import { ConfigError } from './errors.ts'
import type { LoadFeedback } from './feedback.ts'
import { guardLogger, silentLogger, type Logger } from './logger.ts'
import { resolveRetry, type RetryOptions, type RetryPolicy } from './retry.ts'
import { unrefScheduler } from './scheduler.ts'

/** What a flush function is told about the batch it is given. */
export interface FlushInfo {
  /** Aborted when the flush times out or the batcher is force-stopped: pass it to your I/O. */
  readonly signal: AbortSignal
  /** 1 for the first try of this batch, 2 for the first retry, … */
  readonly attempt: number
  /** Unique per batch within this batcher; the same across a batch's retries. */
  readonly batchId: number
  /** The target batch size in force when the batch was cut. */
  readonly batchSize: number
  /** Why the batch was cut. */
  readonly trigger: FlushTrigger
}

/**
 * Writes one batch (never empty). May return {@link LoadFeedback} about the backend; may
 * throw or reject to fail the whole batch, or throw a `PartialBatchError` naming the items
 * that failed, so only those are retried.
 */
export type FlushFunction<T> = (batch: T[], info: FlushInfo) => Promise<LoadFeedback | void> | LoadFeedback | void

/** A fixed number, or a range within which a controller adapts the value. */
export type Adaptive = number | { readonly initial: number; readonly min: number; readonly max: number }

/** Options of `createBatcher`. Only `flush` is required. */
export interface BatcherOptions<T> {
  /** Writes a batch; see {@link FlushFunction}. Required. */
  flush: FlushFunction<T>
  /** Target items per batch (default 100); a range `{ initial, min, max }` makes it adaptive. */
  size?: Adaptive
  /** Longest an item waits in the buffer before its partial batch is cut, in ms (default 1000; Infinity: never). */
  maxWaitMs?: number
  /** Items buffered plus in flight before `add` waits and `tryAdd` refuses (default 10 × the largest size). */
  capacity?: number
  /** Flushes in flight at once (default 1); a range lets the controller adapt it. */
  concurrency?: Adaptive
  /** A flush taking longer fails with FlushTimeoutError, its signal aborted, and is retried (default 30 000). */
  flushTimeoutMs?: number
  /** Turns feedback into the next size and concurrency (default `loadScore()` when size or concurrency is a range, else `fixed()`). */
  controller?: Controller<any>
  /** Feedback from an outside monitor, merged with what flushes return. */
  feedback$?: Observable<LoadFeedback>
  /** How failed flushes are retried (default 3 attempts, 100 ms doubling to 10 s, jitter). */
  retry?: RetryOptions
  /** Gets the items whose last attempt failed, with the error; called once per failed batch. */
  onDeadLetter?: (items: T[], error: unknown) => void | Promise<void>
  /** Time source for timers and durations (default: real time, unref'd timers). Use a VirtualTimeScheduler in tests. */
  scheduler?: SchedulerLike
  /** An XState inspection observer, e.g. `createBrowserInspector().inspect` from @statelyai/inspect. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void)
  /** Where drops, dead letters and sink errors are reported (default: silent). */
  logger?: Logger
  /**
   * An item's weight (e.g. bytes); with maxBatchWeight a batch never weighs more than the ceiling.
   * A weight must be a finite number >= 0: an item whose `weigh` throws or gives NaN, Infinity or
   * a negative number is refused (`tryAdd` false, counted in `itemsDropped`; `add`/`submit`
   * reject with `InvalidWeightError`).
   */
  weigh?: (item: T) => number
  /** Ceiling of a batch's total weight; an item heavier than it goes alone (counted as oversized). */
  maxBatchWeight?: number
  /** Random numbers for retry jitter (default Math.random); inject a seeded one to repeat a run exactly. */
  random?: () => number
  /**
   * Keep the Node process alive while the batcher holds accepted items (buffered, in flight or
   * waiting to retry), so accepted means flushed or dead-lettered even if the script ends; an
   * idle batcher holds nothing either way. Default true on the real-time default scheduler;
   * false when you inject a `scheduler` (virtual time needs no process). Set false only where
   * losing the tail at exit is acceptable (telemetry-style use).
   */
  keepAlive?: boolean
  /** The actor's id and systemId (default none): how inspectors and `actor.system.get(name)` know it. */
  name?: string
}

/** {@link BatcherOptions} checked, with every default filled in. */
export interface ResolvedOptions<T> {
  readonly flush: FlushFunction<T>
  readonly size: Bounds & { readonly initial: number }
  readonly concurrency: Bounds & { readonly initial: number }
  readonly maxWaitMs: number
  readonly capacity: number
  readonly flushTimeoutMs: number
  readonly controller: Controller<any>
  readonly feedback$: Observable<LoadFeedback> | undefined
  readonly retry: RetryPolicy
  readonly onDeadLetter: ((items: T[], error: unknown) => void | Promise<void>) | undefined
  readonly scheduler: SchedulerLike
  readonly logger: Logger
  readonly weigh: ((item: T) => number) | undefined
  readonly maxBatchWeight: number
  readonly random: () => number
  readonly keepAlive: boolean
}

const KNOWN = new Set([
  'flush', 'size', 'maxWaitMs', 'capacity', 'concurrency', 'flushTimeoutMs', 'controller', 'feedback$', 'retry',
  'onDeadLetter', 'scheduler', 'inspect', 'logger', 'weigh', 'maxBatchWeight', 'random', 'keepAlive', 'name',
])

/**
 * Checks every option of a batcher and fills in the defaults. Throws a {@link ConfigError}
 * naming the first option that is wrong and the rule it broke.
 */
export function resolveOptions<T>(options: BatcherOptions<T>): ResolvedOptions<T> {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'an object with at least `flush`', options)
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new ConfigError(key, `a known option of createBatcher (${[...KNOWN].join(", ")}); check its spelling`, (options as unknown as Record<string, unknown>)[key])
  }
  if (typeof options.flush !== 'function') throw new ConfigError('flush', 'a function (batch, info) => Promise<LoadFeedback | void>', options.flush)
  const size = resolveAdaptive('size', options.size ?? 100)
  const concurrency = resolveAdaptive('concurrency', options.concurrency ?? 1)
  const maxWaitMs = options.maxWaitMs ?? 1000
  if (!(maxWaitMs >= 1)) throw new ConfigError('maxWaitMs', 'a number >= 1 (ms), or Infinity for no time-based flush', maxWaitMs)
  const capacity = options.capacity ?? 10 * size.max
  if (!Number.isInteger(capacity) || capacity < 1) throw new ConfigError('capacity', 'an integer >= 1', capacity)
  if (capacity < size.max) throw new ConfigError('capacity', `an integer >= the largest batch size (${size.max}), or no batch could ever fill`, capacity)
  const flushTimeoutMs = options.flushTimeoutMs ?? 30_000
  if (!(flushTimeoutMs >= 1)) throw new ConfigError('flushTimeoutMs', 'a number >= 1 (ms)', flushTimeoutMs)
  const adaptive = size.min < size.max || concurrency.min < concurrency.max
  const controller = options.controller ?? (adaptive ? loadScore() : fixed())
  if (typeof controller !== 'object' || controller === null || typeof controller.decide !== 'function' || typeof controller.initialState !== 'function') {
    throw new ConfigError('controller', 'a Controller ({ name, intervalMs, initialState(), decide() }), e.g. loadScore()', controller)
  }
  if (!(controller.intervalMs >= 1)) throw new ConfigError('controller.intervalMs', 'a number >= 1 (ms)', controller.intervalMs)
  if (options.feedback$ !== undefined && typeof options.feedback$?.subscribe !== 'function') {
    throw new ConfigError('feedback$', 'an RxJS Observable<LoadFeedback>', options.feedback$)
  }
  optionalFunction('onDeadLetter', options.onDeadLetter)
  optionalFunction('weigh', options.weigh)
  optionalFunction('random', options.random)
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) throw new ConfigError('name', 'a non-empty string', options.name)
  const scheduler = options.scheduler ?? unrefScheduler
  if (typeof scheduler.now !== 'function' || typeof scheduler.schedule !== 'function') {
    throw new ConfigError('scheduler', 'an RxJS SchedulerLike ({ now(), schedule() })', scheduler)
  }
  const logger = options.logger ?? silentLogger
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    if (typeof logger[level] !== 'function') throw new ConfigError(`logger.${level}`, 'a function (console and pino fit)', logger[level])
  }
  const maxBatchWeight = options.maxBatchWeight ?? Infinity
  if (!(maxBatchWeight > 0)) throw new ConfigError('maxBatchWeight', 'a number > 0', maxBatchWeight)
  if (options.maxBatchWeight !== undefined && options.weigh === undefined) {
    throw new ConfigError('weigh', 'a function (item) => number when maxBatchWeight is set', options.weigh)
  }
  return {
    flush: options.flush,
    size,
    concurrency,
    maxWaitMs,
    capacity,
    flushTimeoutMs,
    controller,
    feedback$: options.feedback$,
    retry: resolveRetry(options.retry),
    onDeadLetter: options.onDeadLetter,
    scheduler,
    logger: guardLogger(logger),
    weigh: options.weigh,
    maxBatchWeight,
    random: options.random ?? Math.random,
    keepAlive: options.keepAlive ?? options.scheduler === undefined,
  }
}

/** Checks a fixed-or-range option; a plain number n means `{ initial: n, min: n, max: n }`. */
export function resolveAdaptive(field: string, value: Adaptive): Bounds & { initial: number } {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(field, 'an integer >= 1, or { initial, min, max }', value)
    return { initial: value, min: value, max: value }
  }
  if (typeof value !== 'object' || value === null) throw new ConfigError(field, 'an integer >= 1, or { initial, min, max }', value)
  for (const key of ['min', 'max', 'initial'] as const) {
    if (!Number.isInteger(value[key]) || value[key] < 1) throw new ConfigError(`${field}.${key}`, 'an integer >= 1', value[key])
  }
  if (value.min > value.max) throw new ConfigError(`${field}.min`, `<= ${field}.max (${value.max})`, value.min)
  if (value.initial < value.min || value.initial > value.max) {
    throw new ConfigError(`${field}.initial`, `within [${value.min}, ${value.max}]`, value.initial)
  }
  return { initial: value.initial, min: value.min, max: value.max }
}

function optionalFunction(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') throw new ConfigError(field, 'a function', value)
}
