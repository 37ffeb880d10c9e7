import type { AnyActorRef } from 'xstate'
import type { FlushTrigger } from '../../machines/batcher.types.ts'
import { AttemptSignal } from '../attemptSignal.ts'
import { classifyError } from '../controllers/classifyError.ts'
import { deadLetter } from '../deadLetter.ts'
import { FlushTimeoutError, PartialBatchError } from '../errors.ts'
import { backoffDelay } from '../retry.ts'
import { scheduleAfter } from '../scheduler.ts'
import type { BatcherCounters } from './batcherMetrics.ts'
import type { ResolvedOptions } from './batcherOptions.ts'
import type { FeedbackWindow } from './feedbackWindow.ts'
import { FlushDeadlines, type DeadlineHandle } from './flushDeadlines.ts'
import { RetryGate } from './retryGate.ts'
import { AttemptInfo, callFlush, failedIndexes, type AttemptOutcome, type CutAttempt } from './flushFunction.ts'

/** The promise of one `submit`ted item. */
export interface Ticket {
  resolve(): void
  reject(error: unknown): void
}

/**
 * Takes the items an actor gives up when it is stopped (or crashes) before it drained, with the
 * `submit` promise of each (undefined for items that were not submitted), oldest first. Returns
 * true when it took them: they are neither dead-lettered nor rejected here, their promises
 * follow them. A supervisor hands them to the crashed worker's replacement this way. `actor` is
 * the actor that gave them up (given by `createBatcherLogic`: one logic serves many actors).
 */
export type LeftoverTaker<T> = (items: T[], tickets: readonly (Ticket | undefined)[], actor?: AnyActorRef) => boolean

/** A batch from its cut to its final outcome, across retries. */
export interface Flight<T> {
  readonly id: number
  /** Items still to be written (after a partial failure, only the failed ones). */
  items: T[]
  /** Items that succeeded in an earlier, partly failed attempt (reported when the batch settles). */
  flushed: T[] | undefined
  /** `submit` promises by index into `items`. */
  tickets: Map<number, Ticket> | undefined
  /** Lowest sequence number the batch held when cut: a watermark for `flush()`. */
  readonly minSeq: number
  readonly trigger: FlushTrigger
  readonly batchSize: number
  attempt: number
  /** Attempts the controller's stall limit cut short: they do not use up `retry.attempts`, and each doubles the next limit. */
  stallAborts: number
  /** The running attempt's abort signal. */
  abort: AttemptSignal | undefined
  /** When the running attempt started (scheduler ms); undefined between attempts. */
  attemptStart: number | undefined
  /** The running attempt's timeout, or the backoff before the next attempt. */
  timer: DeadlineHandle | undefined
  /** Cuts the running attempt short (see `callFlush`); undefined when none is pending. */
  cut: CutAttempt | undefined
  /** Settled (flushed or dead-lettered); late answers of an abandoned attempt are ignored. */
  done: boolean
}

/** A new flight of `items` cut at `minSeq`. */
export function newFlight<T>(id: number, items: T[], tickets: Map<number, Ticket> | undefined, minSeq: number, trigger: FlushTrigger, batchSize: number): Flight<T> {
  return { id, items, flushed: undefined, tickets, minSeq, trigger, batchSize, attempt: 0, stallAborts: 0, abort: undefined, attemptStart: undefined, timer: undefined, cut: undefined, done: false }
}

/** When the oldest running attempt of `flights` started, or undefined when none runs (between attempts a flight waits, it does not run). */
export function oldestAttemptStart(flights: Iterable<Flight<unknown>>): number | undefined {
  let oldest: number | undefined
  for (const flight of flights) if (flight.attemptStart !== undefined && (oldest === undefined || flight.attemptStart < oldest)) oldest = flight.attemptStart
  return oldest
}

/** What a flight needs of its batcher, as callbacks (no import of the runtime). */
export interface FlightHost<T> {
  readonly flights: Set<Flight<T>>
  /** Nothing more is retried once the batcher gave up. */
  isAbandoned(): boolean
  nextBatchId(): number
  /** Items buffered now (a sample's backlog). */
  backlog(): number
  /** A flight settled (flushed when `ok`): its slot is free. */
  settled(flight: Flight<T>, ok: boolean, error: unknown): void
  /** A split batch's second half started. */
  started(flight: Flight<T>): void
  /** Items of a partly failed attempt were flushed: their room goes to waiting producers. */
  partlyFlushed(): void
  /** A sink refused a batch as too large: no batch is cut larger than `items` from now on. */
  lowerCeiling(items: number): void
}

/**
 * One batch across its attempts: each attempt calls the flush function (with its timeout),
 * then a success settles it; a failure keeps only the failed items of a partial failure, cuts a
 * too-large or poisoned batch in two, retries after a backoff, or settles it dead-lettered.
 */
export class FlightRunner<T> {
  private readonly deadlines: FlushDeadlines
  /** Retries wait here until they fit the target (after a cut). */
  private readonly retries: RetryGate<T>

  constructor(
    private readonly options: ResolvedOptions<T>,
    private readonly counters: BatcherCounters,
    private readonly window: FeedbackWindow<T>,
    private readonly takeLeftovers: LeftoverTaker<T> | undefined,
    private readonly host: FlightHost<T>,
  ) {
    this.deadlines = new FlushDeadlines(options.scheduler)
    this.retries = new RetryGate(host.flights, () => window.target, (flight) => this.run(flight))
  }

  /** Ends a flight: flushed when `error` is undefined, else dead-lettered (offered to `takeLeftovers` first when `leftover`). */
  settle(flight: Flight<T>, error: unknown, leftover = false): void {
    if (flight.done) return
    flight.done = true
    flight.timer?.unsubscribe()
    flight.timer = undefined
    this.host.flights.delete(flight)
    const count = flight.items.length
    this.counters.itemsInFlight -= count
    const ok = error === undefined
    if (ok) {
      this.counters.itemsFlushed += count
      flight.tickets?.forEach((ticket) => ticket.resolve())
    } else {
      this.giveUp(flight.items, flight.items.map((_, index) => flight.tickets?.get(index)), error, leftover)
    }
    this.host.settled(flight, ok, error)
  }

  /**
   * Items that will not be flushed here: offered to `takeLeftovers` first when they are an
   * unfinished actor's leftovers, else their `submit`s rejected and the items dead-lettered.
   * Counted as failed by this runtime either way (a supervisor subtracts what it took over).
   */
  giveUp(items: T[], tickets: readonly (Ticket | undefined)[], error: unknown, leftover: boolean): void {
    this.counters.itemsFailed += items.length
    if (leftover && this.takeLeftovers?.(items, tickets)) return
    for (const ticket of tickets) ticket?.reject(error)
    deadLetter(this.options.onDeadLetter, this.options.logger, items, error)
  }

  /** Runs the flight's next attempt. */
  run(flight: Flight<T>): void {
    flight.attempt++
    if (flight.attempt > 1) this.counters.retries++
    const abort = new AttemptSignal()
    flight.abort = abort
    const { scheduler, flushTimeoutMs } = this.options
    const started = scheduler.now()
    flight.attemptStart = started
    this.window.watch()
    // Attempts running now, this one included: a flight waiting out its backoff or for room in the target puts no load on the backend.
    let inFlight = 0
    for (const other of this.host.flights) if (other.attemptStart !== undefined) inFlight++
    let answered = false
    const info = new AttemptInfo(abort, flight.attempt, flight.id, flight.batchSize, flight.trigger)
    flight.cut = callFlush(this.options.flush, flight.items, info, this.deadlines, this.stallLimitMs(flight), flushTimeoutMs, abort, (timer) => (flight.timer = timer), (outcome) => {
      if (answered || flight.done) return
      answered = true
      flight.attemptStart = undefined
      flight.cut = undefined
      flight.timer?.unsubscribe()
      flight.timer = undefined
      const at = scheduler.now()
      this.answered(flight, outcome, at, at - started, inFlight)
    })
  }

  /** The controller's stall limit for the flight's attempt, doubled at each time it cut this batch short (Infinity: none). */
  private stallLimitMs(flight: Flight<T>): number {
    return (this.window.attemptLimitMs(flight.items.length, flight.attemptStart!) ?? Infinity) * 2 ** flight.stallAborts
  }

  /**
   * Cuts short every running attempt already past the controller's stall limit as it stands
   * now (a decision may have lowered it: the backend was found overrun), so its retry waits
   * inside the new target instead of the stalled call holding its slot.
   */
  cutStalled(): void {
    const now = this.options.scheduler.now()
    for (const flight of this.host.flights) {
      if (flight.cut === undefined || flight.attemptStart === undefined) continue
      const elapsedMs = now - flight.attemptStart
      if (elapsedMs >= this.stallLimitMs(flight)) flight.cut(elapsedMs)
    }
  }

  private answered(flight: Flight<T>, outcome: AttemptOutcome, at: number, durationMs: number, inFlight: number): void {
    this.answer(flight, outcome, at, durationMs, inFlight)
    this.retries.release()
  }

  private answer(flight: Flight<T>, outcome: AttemptOutcome, at: number, durationMs: number, inFlight: number): void {
    this.counters.timings.record(durationMs)
    this.counters.itemsAttempted += flight.items.length
    const carried = flight.items.length
    const facts = { at, durationMs, inFlight, trigger: flight.trigger, attempt: flight.attempt, backlog: this.host.backlog() }
    if (outcome.ok) {
      this.window.record(outcome.feedback, 'flush', false, carried, durationMs, facts)
      this.settle(flight, undefined)
      return
    }
    this.counters.failedFlushes++
    const error = outcome.error
    if (error instanceof PartialBatchError) this.keepOnlyFailed(flight, error)
    const errorKind = classifyError(error, this.options.classify)
    if (error instanceof FlushTimeoutError && error.limit === 'controller') flight.stallAborts++
    this.window.record({ errorRate: flight.items.length / carried }, 'flush', true, carried, durationMs, { ...facts, backlog: this.host.backlog(), errorKind })
    const abandoned = this.host.isAbandoned()
    if (flight.items.length === 0) {
      this.settle(flight, undefined)
    } else if ((errorKind === 'tooLarge' || errorKind === 'badItem') && flight.items.length > 1 && !abandoned) {
      this.split(flight, errorKind)
    } else if (errorKind === 'tooLarge' || errorKind === 'badItem' || errorKind === 'fatal') {
      this.settle(flight, error) // alone and still refused, or nothing to retry for: that item, not its batch
    } else if (flight.attempt - flight.stallAborts < this.options.retry.attempts && !abandoned) {
      const delay = backoffDelay(flight.attempt, this.options.retry, this.random)
      flight.timer = scheduleAfter(this.options.scheduler, delay, () => {
        flight.timer = undefined
        this.retries.offer(flight)
      })
    } else {
      this.settle(flight, error)
    }
  }

  /**
   * Cuts a refused batch in two and flushes both halves at once, each with fresh attempts:
   * `tooLarge` also lowers the size ceiling to the half, so no item is dead-lettered for its
   * batch's size; `badItem` halves until the poison item is alone.
   */
  private split(flight: Flight<T>, kind: 'tooLarge' | 'badItem'): void {
    if (kind === 'tooLarge') this.host.lowerCeiling(Math.floor(flight.items.length / 2))
    flight.done = true
    flight.timer?.unsubscribe()
    this.host.flights.delete(flight)
    const half = Math.ceil(flight.items.length / 2)
    for (const [part, from, to] of [[0, 0, half], [1, half, flight.items.length]] as const) {
      let tickets: Map<number, Ticket> | undefined
      for (let i = from; i < to; i++) {
        const ticket = flight.tickets?.get(i)
        if (ticket) (tickets ??= new Map()).set(i - from, ticket)
      }
      // The first half keeps the batch's id and the items it already flushed (reported when it settles).
      const child = newFlight(part === 0 ? flight.id : this.host.nextBatchId(), flight.items.slice(from, to), tickets, flight.minSeq, flight.trigger, flight.batchSize)
      if (part === 0) child.flushed = flight.flushed
      this.host.flights.add(child)
      if (part === 1) this.host.started(child)
      this.run(child)
    }
  }

  /** After a partial failure: the items that succeeded are flushed; the flight keeps the failed ones. */
  private keepOnlyFailed(flight: Flight<T>, error: PartialBatchError): void {
    const failed = failedIndexes(error, flight.items.length)
    if (failed === undefined) {
      this.options.logger.warn('loadbatch: PartialBatchError names no failed item, or an index that is no integer within the batch; retrying the whole batch')
      return
    }
    const items: T[] = []
    let tickets: Map<number, Ticket> | undefined
    flight.items.forEach((item, index) => {
      const ticket = flight.tickets?.get(index)
      if (failed.has(index)) {
        if (ticket) (tickets ??= new Map()).set(items.length, ticket)
        items.push(item)
      } else {
        ticket?.resolve()
        ;(flight.flushed ??= []).push(item)
      }
    })
    const succeeded = flight.items.length - items.length
    this.counters.itemsFlushed += succeeded
    this.counters.itemsInFlight -= succeeded
    flight.items = items
    flight.tickets = tickets
    this.host.partlyFlushed() // the room the succeeded items freed goes to waiting producers first, in order
  }

  /** The jitter source: the user's `random`, or Math.random where it throws or leaves [0, 1). */
  private readonly random = (): number => {
    try {
      const value = this.options.random()
      if (value >= 0 && value < 1) return value
    } catch {
      // fall through: a broken random source must not stop a retry
    }
    return Math.random()
  }
}
