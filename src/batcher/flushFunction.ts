import type { FlushTrigger } from '../../machines/batcher.types.ts'
import type { AttemptSignal } from '../attemptSignal.ts'
import { isPromiseLike } from '../deadLetter.ts'
import { FlushTimeoutError, type PartialBatchError } from '../errors.ts'
import type { LoadFeedback } from '../feedback.ts'
import type { DeadlineHandle, FlushDeadlines } from './flushDeadlines.ts'

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

const ATTEMPT_SIGNAL = Symbol('attemptSignal')

/**
 * The {@link FlushInfo} of one attempt. A class, because V8 keeps an object literal with a getter
 * in dictionary mode (about 0.5 µs to make, per batch). `signal` is made on first read, by a
 * getter on the prototype: `Object.create(info)` keeps it; a spread copy does not (pass
 * `info.signal` on by name).
 */
export class AttemptInfo implements FlushInfo {
  /** Under a symbol, not `#abort`: a private field fails its brand check through `Object.create(info)`. */
  readonly [ATTEMPT_SIGNAL]: AttemptSignal

  constructor(abort: AttemptSignal, readonly attempt: number, readonly batchId: number, readonly batchSize: number, readonly trigger: FlushTrigger) {
    this[ATTEMPT_SIGNAL] = abort
  }

  get signal(): AbortSignal {
    return this[ATTEMPT_SIGNAL].signal
  }
}

/**
 * Writes one batch (never empty). May return {@link LoadFeedback} about the backend; may
 * throw or reject to fail the whole batch, or throw a `PartialBatchError` naming the items
 * that failed, so only those are retried.
 */
export type FlushFunction<T> = (batch: T[], info: FlushInfo) => Promise<LoadFeedback | void> | LoadFeedback | void
/** Outcome of one call of the flush function: its feedback, or why it failed. */
export type AttemptOutcome = { ok: true; feedback: unknown } | { ok: false; error: unknown }

/** Cuts a running attempt short now, as its controller limit would (see {@link callFlush}); `elapsedMs` is how long it ran. */
export type CutAttempt = (elapsedMs: number) => void

/**
 * Calls the flush function once with a copy of `batch` (the sink may keep or mutate it; a retry
 * must still have the items) and reports its outcome to `answer` exactly once: a throw, a
 * rejection and a thenable whose `then()` throws are failures; a pending answer fails after
 * `flushTimeoutMs` (aborting `abort`). Past the controller's limit `stallMs`, or when the
 * returned {@link CutAttempt} is called, the call is aborted but its answer still awaited, up
 * to `flushTimeoutMs` in all: a write that landed anyway counts as done, so a retry never
 * writes it twice. `onTimer` gets the attempt's timers as one handle, so they can be
 * cancelled. Returns the cut while the answer is pending.
 */
export function callFlush<T>(
  flush: FlushFunction<T>, batch: readonly T[], info: FlushInfo, deadlines: FlushDeadlines, stallMs: number,
  flushTimeoutMs: number, abort: AttemptSignal, onTimer: (timer: DeadlineHandle) => void, answer: (outcome: AttemptOutcome) => void,
): CutAttempt | undefined {
  let result: unknown
  try {
    result = flush(batch.slice(), info)
  } catch (error) {
    answer({ ok: false, error })
    return undefined
  }
  if (!isPromiseLike(result)) {
    answer({ ok: true, feedback: result })
    return undefined
  }
  // Only a pending answer can time out: the timers are armed after the call, not before.
  let stalled: FlushTimeoutError | undefined
  const cut: CutAttempt = (elapsedMs) => {
    if (stalled) return
    // The controller's limit: the call is told to stop; its answer says whether the write landed, until flushTimeoutMs says no more.
    stalled = new FlushTimeoutError(Math.ceil(elapsedMs), 'controller')
    stallTimer.unsubscribe()
    abort.abort(stalled)
  }
  const stallTimer = stallMs < flushTimeoutMs ? deadlines.add(Math.ceil(stallMs), () => cut(Math.ceil(stallMs))) : { unsubscribe() {} }
  const timeout = deadlines.add(flushTimeoutMs, () => {
    const error = new FlushTimeoutError(flushTimeoutMs)
    if (!stalled) abort.abort(error)
    answer({ ok: false, error })
  })
  onTimer({
    unsubscribe() {
      stallTimer.unsubscribe()
      timeout.unsubscribe()
    },
  })
  try {
    result.then(
      (feedback) => answer({ ok: true, feedback }),
      (error: unknown) => answer({ ok: false, error: stalled ?? error }),
    )
  } catch (error) {
    answer({ ok: false, error }) // a thenable whose then() throws: a failed attempt
  }
  return cut
}

/**
 * The distinct failed indexes a PartialBatchError names, or undefined when it names none or any
 * index that is no integer within the batch (or reading it throws): then the whole batch is retried.
 */
export function failedIndexes(error: PartialBatchError, length: number): Set<number> | undefined {
  try {
    const failed = new Set<number>()
    for (const failure of error.failures) {
      const index = failure.index
      if (!Number.isInteger(index) || index < 0 || index >= length) return undefined
      failed.add(index)
    }
    return failed.size > 0 ? failed : undefined
  } catch {
    return undefined
  }
}
