/**
 * The typed errors of loadbatch. Every one says what went wrong and what to fix;
 * each has a stable `name` so it can be told apart after crossing a boundary.
 */

/** An option was missing or out of range. Thrown at creation, before anything is accepted. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  /** The option's path, e.g. `size.min` or `retry.attempts`. */
  readonly field: string
  /** The rule the value broke, e.g. `an integer >= 1`. */
  readonly rule: string
  /** The value that was given. */
  readonly value: unknown

  /** `hint`, when given, is appended: e.g. "did you mean `maxWaitMs`?". */
  constructor(field: string, rule: string, value: unknown, hint?: string) {
    super(`Expected \`${field}\` to be ${rule}, got \`${describe(value)}\`${hint ? `; ${hint}` : ''}`)
    this.field = field
    this.rule = rule
    this.value = value
  }
}

/** An item was offered to a batcher (or supervisor) that is draining or stopped. */
export class BatcherStoppedError extends Error {
  override readonly name = 'BatcherStoppedError'
  constructor(message = 'The batcher is stopping or stopped and accepts no new items; create a new one') {
    super(message)
  }
}

/** A wait was aborted through its `AbortSignal`; `cause` holds the signal's reason. */
export class AbortError extends Error {
  override readonly name = 'AbortError'
  constructor(reason?: unknown) {
    super(reason instanceof Error ? `Aborted: ${reason.message}` : `Aborted${reason === undefined ? '' : `: ${String(reason)}`}`, {
      cause: reason,
    })
  }
}

/** A flush ran longer than `flushTimeoutMs`; its signal was aborted and the batch is retried. */
export class FlushTimeoutError extends Error {
  override readonly name = 'FlushTimeoutError'
  /** The timeout that was exceeded, in ms. */
  readonly timeoutMs: number
  /**
   * Whose limit it was: the batcher's `flushTimeoutMs`, or the controller's stall limit
   * (`Controller.attemptTimeoutMs`: the attempt ran many times as long as healthy ones), which
   * is retried without using up one of `retry.attempts`.
   */
  readonly limit: 'flushTimeoutMs' | 'controller'
  constructor(timeoutMs: number, limit: 'flushTimeoutMs' | 'controller' = 'flushTimeoutMs') {
    super(limit === 'controller'
      ? `The flush ran ${timeoutMs} ms, many times as long as healthy ones: the controller aborted it to retry (this does not use up a retry); make the sink honour \`info.signal\``
      : `The flush did not settle within flushTimeoutMs (${timeoutMs} ms); raise \`flushTimeoutMs\` or make the sink honour \`info.signal\``)
    this.timeoutMs = timeoutMs
    this.limit = limit
  }
}

/**
 * An item was refused because `weigh(item)` threw or gave no finite number >= 0: a NaN or
 * Infinity weight would break `maxBatchWeight` for every batch after it. `tryAdd` returns false
 * (counted in `itemsDropped`); `add` and `submit` reject with this error. `cause` holds what
 * `weigh` threw.
 */
export class InvalidWeightError extends Error {
  override readonly name = 'InvalidWeightError'
  /** What `weigh` returned (undefined when it threw). */
  readonly weight: unknown
  constructor(weight: unknown, cause?: unknown) {
    super(
      cause === undefined
        ? `weigh(item) returned \`${String(weight)}\`; an item's weight must be a finite number >= 0, so the item was refused`
        : 'weigh(item) threw; the item was refused',
      cause === undefined ? undefined : { cause },
    )
    this.weight = weight
  }
}

/** One item of a batch that failed, by its index within the batch, with its cause. */
export interface ItemFailure {
  /** Index of the item within the batch handed to the flush function. */
  readonly index: number
  /** Why this item failed. */
  readonly cause: unknown
}

/**
 * Thrown (or rejected with) by a flush function when only some items of a batch failed.
 * The batcher counts the others as flushed and retries only the failed ones.
 */
export class PartialBatchError extends Error {
  override readonly name = 'PartialBatchError'
  /** The failed items, by index within the batch, each with its cause. */
  readonly failures: readonly ItemFailure[]
  constructor(failures: readonly ItemFailure[], message?: string) {
    super(message ?? `${failures.length} item(s) of the batch failed: indexes ${failures.slice(0, 10).map((f) => f.index).join(', ')}${failures.length > 10 ? ', …' : ''}`)
    this.failures = failures
  }
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'function'
  if (typeof value === 'string') return JSON.stringify(value)
  try {
    return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
  } catch {
    return String(value)
  }
}

/** Workers crashed more than `restart.maxRestarts` times within `restart.withinMs`; the supervisor gave up. `cause` is the last crash. */
export class SupervisorEscalatedError extends Error {
  override readonly name = 'SupervisorEscalatedError'
  constructor(maxRestarts: number, withinMs: number, cause: unknown) {
    super(`Workers crashed more than ${maxRestarts} time(s) within ${withinMs} ms; the supervisor escalated`, { cause })
  }
}
