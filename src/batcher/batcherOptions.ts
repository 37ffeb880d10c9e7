import type { Observable, SchedulerLike } from 'rxjs'
import type { InspectionEvent, Observer } from 'xstate'
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY } from '../../machines/batcher.types.ts'
import type { Bounds, Controller } from '../controllers/controller.ts'
import { fixed } from '../controllers/fixed.ts'
import { autoTune } from '../controllers/autoTune.ts'
import type { ErrorClassifier } from '../controllers/classifyError.ts'
import { checkBoolean, checkFunction, checkKeys, checkNumber, checkScheduler, fieldPath } from '../checkOption.ts'
import { ConfigError } from '../errors.ts'
import type { LoadFeedback } from '../feedback.ts'
import { guardLogger, silentLogger, type Logger } from '../logger.ts'
import { resolveRetry, type RetryOptions, type RetryPolicy } from '../retry.ts'
import { unrefScheduler } from '../scheduler.ts'
import type { FlushFunction } from './flushFunction.ts'

/** A fixed number, or a range within which a controller adapts the value (`initial` defaults to `min`). */
export type Adaptive = number | { readonly initial?: number; readonly min: number; readonly max: number }

/** Options of `createBatcher`. Only `flush` is required. */
export interface BatcherOptions<T> {
  /** Writes a batch; see {@link FlushFunction}. Required. */
  flush: FlushFunction<T>
  /** Target items per batch (default 100); a range `{ initial, min, max }` makes it adaptive. */
  size?: Adaptive
  /** Longest an item waits in the buffer before its partial batch is cut, in ms (default 1000; Infinity: never). */
  maxWaitMs?: number
  /**
   * Items buffered plus in flight before `add` waits and `tryAdd` refuses (default: the larger
   * of 10 × the largest size and 2 × the largest size × the largest concurrency, so capacity
   * never caps how many flushes can be in flight).
   */
  capacity?: number
  /** Flushes in flight at once (default 1); a range lets the controller adapt it. */
  concurrency?: Adaptive
  /** A flush taking longer fails with FlushTimeoutError, its signal aborted, and is retried (default 30 000). */
  flushTimeoutMs?: number
  /** Turns feedback into the next size and concurrency (default `autoTune()` when size or concurrency is a range, else `fixed()`). */
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
  /**
   * What a flush error means (default: the error's own `kind`, a timeout, else overload):
   * `overload`/`timeout` retry and back off; `tooLarge` cuts the batch in two and lowers the
   * size ceiling (no item is dead-lettered for its batch's size); `badItem` halves the batch
   * until the poison item is alone, then dead-letters only it; `fatal` dead-letters at once.
   */
  classify?: ErrorClassifier
  /** A hard ceiling of items per batch whatever `size` says (e.g. a statement's parameter limit); a sink may declare it. */
  maxBatchSize?: number
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
  /** An inspector is attached: the chart hears of every batch as it happens. */
  readonly inspect: boolean
  readonly classify: ErrorClassifier | undefined
}

/** Every option of createBatcher, in the order of {@link BatcherOptions}. */
export const BATCHER_OPTIONS = [
  'flush', 'size', 'maxWaitMs', 'capacity', 'concurrency', 'flushTimeoutMs', 'controller', 'feedback$', 'retry',
  'onDeadLetter', 'scheduler', 'inspect', 'logger', 'weigh', 'maxBatchWeight', 'random', 'keepAlive', 'name',
  'classify', 'maxBatchSize',
] as const

/** Options a user may look for on createBatcher that live on another factory. */
const ELSEWHERE = {
  batchKey: 'per-key batches are `createKeyedBatcher({ batchKey, flush, … })`: one batcher, and one controller state, per key',
}

/**
 * Checks every option of a batcher and fills in the defaults. Throws a {@link ConfigError}
 * naming the first option that is wrong, by its path (`path` prefixes it: a supervisor passes
 * `worker`), and the rule it broke; an unknown name gets the nearest known one suggested.
 */
export function resolveOptions<T>(options: BatcherOptions<T>, path = ''): ResolvedOptions<T> {
  const at = (key: string) => fieldPath(path, key)
  const given = checkKeys(path, options, BATCHER_OPTIONS, 'createBatcher', ELSEWHERE)
  checkFunction(at('flush'), options.flush, 'a function (batch, info) => Promise<LoadFeedback | void>', false)
  const maxBatchSize = checkNumber(at('maxBatchSize'), options.maxBatchSize, Infinity, { min: 1, max: Infinity, integer: true })
  const size = underCeiling(resolveAdaptive(at('size'), options.size ?? DEFAULT_BATCH_SIZE), maxBatchSize)
  const concurrency = resolveAdaptive(at('concurrency'), options.concurrency ?? DEFAULT_CONCURRENCY)
  const maxWaitMs = checkNumber(at('maxWaitMs'), options.maxWaitMs, 1000, { min: 1, max: Infinity })
  // Default: room for every flush slot to hold a full batch twice over, so capacity never caps concurrency.
  const capacity = checkNumber(at('capacity'), options.capacity, Math.max(10 * size.max, 2 * size.max * concurrency.max), { min: 1, integer: true })
  if (capacity < size.max) throw new ConfigError(at('capacity'), `an integer >= the largest batch size (${size.max}), or no batch could ever fill`, capacity)
  const flushTimeoutMs = checkNumber(at('flushTimeoutMs'), options.flushTimeoutMs, 30_000, { min: 1, max: Infinity })
  const adaptive = size.min < size.max || concurrency.min < concurrency.max
  const controller = checkController(at('controller'), options.controller ?? (adaptive ? autoTune() : fixed()))
  if (options.feedback$ !== undefined && typeof (options.feedback$ as { subscribe?: unknown } | null)?.subscribe !== 'function') {
    throw new ConfigError(at('feedback$'), 'an RxJS Observable<LoadFeedback>', options.feedback$)
  }
  checkFunction(at('onDeadLetter'), options.onDeadLetter)
  checkFunction(at('weigh'), options.weigh)
  checkFunction(at('random'), options.random)
  checkFunction(at('classify'), options.classify)
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) throw new ConfigError(at('name'), 'a non-empty string', options.name)
  const scheduler = options.scheduler ?? unrefScheduler
  checkScheduler(at('scheduler'), scheduler)
  checkInspect(at('inspect'), given['inspect'])
  const logger = checkLogger(at('logger'), options.logger)
  const maxBatchWeight = checkNumber(at('maxBatchWeight'), options.maxBatchWeight, Infinity, { min: 0, above: true, max: Infinity })
  if (options.maxBatchWeight !== undefined && options.weigh === undefined) {
    throw new ConfigError(at('weigh'), 'a function (item) => number when maxBatchWeight is set', options.weigh)
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
    retry: resolveRetry(options.retry, at('retry')),
    onDeadLetter: options.onDeadLetter,
    scheduler,
    logger,
    weigh: options.weigh,
    maxBatchWeight,
    random: options.random ?? Math.random,
    keepAlive: checkBoolean(at('keepAlive'), options.keepAlive, options.scheduler === undefined),
    inspect: given['inspect'] !== undefined,
    classify: options.classify,
  }
}

/** A size range clamped under a hard ceiling. */
function underCeiling(size: Bounds & { initial: number }, ceiling: number): Bounds & { initial: number } {
  if (size.max <= ceiling) return size
  const max = ceiling
  return { min: Math.min(size.min, max), max, initial: Math.min(size.initial, max) }
}

/**
 * Checks a fixed-or-range option: a plain number n means `{ initial: n, min: n, max: n }`; in a
 * range, `initial` defaults to `min`.
 */
export function resolveAdaptive(field: string, value: Adaptive): Bounds & { initial: number } {
  const rule = 'an integer >= 1, or a range { min, max, initial? }'
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(field, rule, value)
    return { initial: value, min: value, max: value }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(field, rule, value)
  checkKeys(field, value, ['min', 'max', 'initial'], `a range of \`${field}\``)
  const min = checkNumber(`${field}.min`, value.min, NaN, { min: 1, integer: true })
  const max = checkNumber(`${field}.max`, value.max, NaN, { min: 1, integer: true })
  if (value.min === undefined || value.max === undefined) {
    throw new ConfigError(`${field}.${value.min === undefined ? 'min' : 'max'}`, 'an integer >= 1 (a range needs both min and max)', undefined)
  }
  if (min > max) throw new ConfigError(`${field}.min`, `<= ${field}.max (${max})`, min)
  const initial = checkNumber(`${field}.initial`, value.initial, min, { min: 1, integer: true })
  if (initial < min || initial > max) throw new ConfigError(`${field}.initial`, `within [${min}, ${max}] (default: min)`, initial)
  return { initial, min, max }
}

/** A Controller: `decide` and `initialState` functions, an optional `score` function, `intervalMs` >= 1 (Infinity: never adjust). */
function checkController(field: string, controller: unknown): Controller<unknown> {
  const rule = 'a Controller ({ name, intervalMs, initialState(), decide(), score?() }), e.g. autoTune()'
  const c = controller as Partial<Controller<unknown>> | null
  if (typeof c !== 'object' || c === null || typeof c.decide !== 'function' || typeof c.initialState !== 'function') throw new ConfigError(field, rule, controller)
  if (c.score !== undefined && typeof c.score !== 'function') throw new ConfigError(`${field}.score`, 'a function (feedback) => number in 0..1, or absent', c.score)
  checkNumber(`${field}.intervalMs`, c.intervalMs, NaN, { min: 1, max: Infinity })
  if (c.intervalMs === undefined) throw new ConfigError(`${field}.intervalMs`, 'a number >= 1 (ms), or Infinity', undefined)
  return c as Controller<unknown>
}

/** An XState inspection observer: a function, or an object with a `next` function. */
export function checkInspect(field: string, inspect: unknown): void {
  if (inspect === undefined || typeof inspect === 'function') return
  if (typeof inspect === 'object' && inspect !== null && typeof (inspect as { next?: unknown }).next === 'function') return
  throw new ConfigError(field, 'an XState inspection observer: (event) => void or { next(event) }', inspect)
}

/** A logger with debug, info, warn and error functions (console and pino fit), guarded; the silent one when absent. */
export function checkLogger(field: string, logger: unknown): Logger {
  if (logger === undefined) return silentLogger
  if (typeof logger !== 'object' || logger === null) throw new ConfigError(field, 'a logger { debug, info, warn, error } (console and pino fit)', logger)
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    const method = (logger as Record<string, unknown>)[level]
    if (typeof method !== 'function') throw new ConfigError(`${field}.${level}`, 'a function (console and pino fit)', method)
  }
  return guardLogger(logger as Logger)
}
