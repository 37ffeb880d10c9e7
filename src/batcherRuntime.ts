import type { Subscription } from 'rxjs'
import type { AnyActorRef } from 'xstate'
import type { BatcherEvent, FlushTrigger } from '../machines/batcher.types.ts'
import { classifyError } from './controllers/classifyError.ts'
import { clampTo, type ControlTarget, type ControllerDecision, type DecisionReason, type FeedbackSample } from './controllers/controller.ts'
import { AttemptSignal } from './attemptSignal.ts'
import { ItemBuffer } from './buffer.ts'
import { AbortError, BatcherStoppedError, FlushTimeoutError, InvalidWeightError, PartialBatchError } from './errors.ts'
import { sanitizeFeedback, scoreLoad, type LoadFeedback } from './feedback.ts'
import { RateLimitedReport } from './logger.ts'
import { FlushTimings, type BatcherMetrics } from './metrics.ts'
import type { FlushInfo, ResolvedOptions } from './options.ts'
import { backoffDelay } from './retry.ts'
import { ProcessHold, scheduleAfter } from './scheduler.ts'
import { WaitQueue } from './waitQueue.ts'

/** How many recent feedback samples the controller is shown. */
const SAMPLE_WINDOW = 10
/** Drops and sink errors are logged at most once per this many ms. */
const REPORT_INTERVAL_MS = 10_000

/** The promise of one `submit`ted item. */
export interface Ticket {
  resolve(): void
  reject(error: unknown): void
}

/**
 * Takes the items an actor gives up when it is stopped (or crashes) before it drained, with the
 * `submit` promise of each (undefined for items that were not submitted), oldest first. Returns
 * true when it took them: they are neither dead-lettered nor rejected here, their promises
 * follow them. A supervisor hands them to the crashed worker's replacement this way.
 */
export type LeftoverTaker<T> = (items: T[], tickets: readonly (Ticket | undefined)[]) => boolean

/** A producer waiting in `add`/`submit` for room. */
interface Waiter<T> {
  item: T
  ticket: Ticket | undefined
  resolve(): void
  reject(error: unknown): void
  /** The item's weight, measured before it waited (0 without `weigh`). */
  weight: number
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
}

/** A batch from its cut to its final outcome, across retries. */
interface Flight<T> {
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
  /** The running attempt's abort signal. */
  abort: AttemptSignal | undefined
  /** The running attempt's timeout, or the backoff before the next attempt. */
  timer: Subscription | undefined
  /** Settled (flushed or dead-lettered); late answers of an abandoned attempt are ignored. */
  done: boolean
}

/** Outcome of one call of the flush function. */
type Attempt = { ok: true; feedback: unknown } | { ok: false; error: unknown }

/**
 * The data plane of one batcher actor: buffer, timers, flushes, retries, feedback and
 * metrics. The statechart decides what state the batcher is in; this does the work its named
 * actions ask for and reports back with a few events per batch (`BATCH_STARTED`,
 * `BATCH_SETTLED`, `TIMEOUT`, `TICK`, `DRAINED`). Items never go through the interpreter.
 *
 * One path for an item: `accept` → buffer → `pump` cuts a batch → `startFlight` →
 * `runAttempt` → `settleFlight`. `flush()`, the wait timer, adjusting and draining all only
 * change what `pump` may cut, and call it.
 */
export class BatcherRuntime<T> {
  private readonly buffer = new ItemBuffer<T>()
  private readonly weights: ItemBuffer<number> | undefined
  private pendingWeight = 0
  /** `submit` promises of buffered items, by sequence number. */
  private readonly tickets = new Map<number, Ticket>()
  private readonly waiters = new WaitQueue<Waiter<T>>()
  private readonly flights = new Set<Flight<T>>()
  private readonly flushWaiters: { seq: number; resolve: () => void }[] = []
  private readonly samples: FeedbackSample[] = []
  private readonly timings = new FlushTimings()
  private readonly dropReport: RateLimitedReport
  private readonly invalidReport: RateLimitedReport
  private target: ControlTarget
  private controllerState: unknown
  private sampleSeq = 0
  /** Largest batch a sink accepted to cut: lowered by `tooLarge` errors. */
  private sizeCeiling = Infinity
  /** How long a partial batch waits: `maxWaitMs`, or less when the controller asks (`Controller.waitMs`). */
  private readonly waitMs: number
  /** The controller's latest decision with a reason, for logs and events. */
  lastDecision: ControllerDecision<unknown> | undefined
  private nextBatchId = 1

  private itemsAdded = 0
  private itemsFlushed = 0
  private itemsDropped = 0
  private itemsFailed = 0
  private itemsInFlight = 0
  private itemsAttempted = 0
  private failedFlushes = 0
  private retries = 0
  private feedbackRejected = 0
  private oversizedItems = 0

  private accepting = true
  private draining = false
  private released = false
  private pumping = false
  private drainedSent = false
  /** Given up (stop timeout or outside stop): nothing more is cut or retried. */
  private abandoned = false
  /** Time the oldest buffered item arrived (exact when the buffer was empty before it). */
  private headSince = 0
  private waitTimer: Subscription | undefined
  /** Items with a sequence number below this are overdue (the wait timer fired after they arrived). */
  private timeDueUntilSeq = 0
  /** When the wait timer last fired: items accepted since arrived no earlier. */
  private timeDueAt = -Infinity
  /** Items with a sequence number below this are cut at once (`flush()`). */
  private flushUntilSeq = 0
  private adjustTimer: Subscription | undefined
  private freshFeedback = false
  private stopTimer: Subscription | undefined
  private readonly feedbackSubscription: Subscription | undefined
  /** Keeps the process alive while items are buffered or in flight (see `keepAlive`). */
  private readonly processHold: ProcessHold
  private resolveStopped!: () => void
  /** Settles when the actor reached `stopped`. */
  readonly stopped: Promise<void>

  constructor(
    private readonly options: ResolvedOptions<T>,
    private readonly self: AnyActorRef,
    private readonly takeLeftovers?: LeftoverTaker<T>,
  ) {
    this.target = { batchSize: options.size.initial, concurrency: options.concurrency.initial }
    this.waitMs = Math.min(options.maxWaitMs, options.controller.waitMs ?? Infinity)
    this.controllerState = this.initialControllerState()
    this.weights = options.weigh ? new ItemBuffer<number>() : undefined
    this.processHold = new ProcessHold(options.keepAlive)
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve))
    this.dropReport = new RateLimitedReport(REPORT_INTERVAL_MS, (count) =>
      options.logger.warn(`loadbatch: dropped ${count} item(s): the batcher is full (capacity ${options.capacity}) or stopped`),
    )
    this.invalidReport = new RateLimitedReport(REPORT_INTERVAL_MS, (count, error) =>
      options.logger.warn(`loadbatch: refused ${count} item(s) whose weight is no finite number >= 0`, error),
    )
    this.feedbackSubscription = this.subscribeFeedback()
  }

  private initialControllerState(): unknown {
    try {
      return this.options.controller.initialState()
    } catch (error) {
      this.options.logger.error(`loadbatch: controller ${this.options.controller.name} initialState() threw; starting from undefined`, error)
      return undefined
    }
  }

  private subscribeFeedback(): Subscription | undefined {
    const { feedback$, logger } = this.options
    try {
      return feedback$?.subscribe({
        next: (feedback) => this.send({ type: 'FEEDBACK', feedback }),
        error: (error) => logger.error('loadbatch: feedback$ errored; adapting on flush feedback only', error),
      })
    } catch (error) {
      logger.error('loadbatch: subscribing to feedback$ threw; adapting on flush feedback only', error)
      return undefined
    }
  }

  /** Tells the chart the target in force when its context (from the machine's input) shows another. */
  reportTargetIfNot(shown: ControlTarget): void {
    if (shown.batchSize !== this.target.batchSize || shown.concurrency !== this.target.concurrency) this.reportTarget(undefined)
  }

  /** The chart holds the target in its context: it gets each new one with the controller's reason. */
  private reportTarget(reason: DecisionReason | undefined): void {
    const { batchSize, concurrency } = this.target
    this.send(reason === undefined ? { type: 'TARGET_CHANGED', batchSize, concurrency } : { type: 'TARGET_CHANGED', batchSize, concurrency, reason })
  }

  // ── Entry of items ────────────────────────────────────────────────────────────────

  /** Accepts `item` if there is room; otherwise counts it dropped. Never waits. */
  tryAdd(item: T): boolean {
    // The hot path: two comparisons, a push, and a timer only for the first item of a batch.
    if (!this.accepting || this.buffer.length + this.itemsInFlight >= this.options.capacity) {
      this.drop(1)
      return false
    }
    if (!this.weights) {
      this.accept(item, undefined, 0)
      return true
    }
    const weight = this.weightOf(item)
    if (typeof weight !== 'number') {
      this.itemsDropped++ // refused, never accepted; reported as an invalid weight, not as a full buffer
      return false
    }
    this.accept(item, undefined, weight)
    return true
  }

  /**
   * The item's weight from `weigh`, or the error refusing the item when `weigh` throws or
   * gives no finite number >= 0 (a NaN or Infinity would break the ceiling for every batch after it).
   */
  private weightOf(item: T): number | InvalidWeightError {
    let weight: unknown
    try {
      weight = this.options.weigh!(item)
    } catch (error) {
      return this.refuseWeight(new InvalidWeightError(undefined, error))
    }
    if (typeof weight === 'number' && weight >= 0 && weight < Infinity) return weight
    return this.refuseWeight(new InvalidWeightError(weight))
  }

  private refuseWeight(error: InvalidWeightError): InvalidWeightError {
    this.invalidReport.note(1, this.options.scheduler.now(), error)
    return error
  }

  /** Accepts as many of `items` as fit, in order; the rest are dropped and counted. Returns how many were accepted. */
  addMany(items: readonly T[]): number {
    let accepted = 0
    for (const item of items) {
      if (!this.tryAdd(item)) break
      accepted++
    }
    if (accepted < items.length) this.drop(items.length - accepted - 1)
    return accepted
  }

  /** Counts items offered while draining or stopped (from `ADD`/`ADD_MANY` events). */
  refuse(count: number): void {
    this.drop(count)
  }

  /** Resolves once `item` is accepted (waiting FIFO for room); rejects on abort or stop. */
  add(item: T, signal?: AbortSignal): Promise<void> {
    return this.enter(item, undefined, signal)
  }

  /** Resolves when `item`'s batch was flushed; rejects when it was dead-lettered, on abort while waiting, or on stop. */
  submit(item: T, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.enter(item, { resolve, reject }, signal).catch(reject)
    })
  }

  private enter(item: T, ticket: Ticket | undefined, signal: AbortSignal | undefined): Promise<void> {
    if (!this.accepting) return Promise.reject(new BatcherStoppedError())
    if (signal?.aborted) return Promise.reject(new AbortError(signal.reason))
    const weight = this.weights ? this.weightOf(item) : 0
    if (typeof weight !== 'number') return Promise.reject(weight)
    if (this.waiters.size === 0 && this.buffer.length + this.itemsInFlight < this.options.capacity) {
      this.accept(item, ticket, weight)
      return Promise.resolve()
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter<T> = { item, ticket, resolve, reject, weight, signal, onAbort: undefined }
      const entry = this.waiters.push(waiter)
      if (signal) {
        waiter.onAbort = () => {
          this.waiters.remove(entry)
          reject(new AbortError(signal.reason))
        }
        signal.addEventListener('abort', waiter.onAbort, { once: true })
      }
    })
  }

  private accept(item: T, ticket: Ticket | undefined, weight: number): void {
    if (ticket) this.tickets.set(this.buffer.tailSeq, ticket)
    this.buffer.push(item)
    this.itemsAdded++
    if (this.weights) {
      this.weights.push(weight)
      this.pendingWeight += weight
    }
    if (this.buffer.length === 1) {
      this.processHold.set(true)
      this.headSince = this.options.scheduler.now()
      this.armWaitTimer(this.waitMs)
    }
    if (
      (this.buffer.length >= this.target.batchSize || this.pendingWeight >= this.options.maxBatchWeight) &&
      this.flights.size < this.target.concurrency
    ) {
      this.pump()
    }
  }

  private drop(count: number): void {
    if (count <= 0) return
    this.itemsDropped += count
    this.dropReport.note(count, this.options.scheduler.now())
  }

  /** Lets producers waiting in `add`/`submit` in, first come first served, while there is room. */
  private admitWaiters(): void {
    while (this.waiters.size > 0 && this.buffer.length + this.itemsInFlight < this.options.capacity) {
      const waiter = this.waiters.shift()!
      if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort)
      this.accept(waiter.item, waiter.ticket, waiter.weight)
      waiter.resolve()
    }
  }

  // ── Cutting batches ──────────────────────────────────────────────────────────────

  /** Asks for a cut: `manual` cuts all buffered now, `time` the overdue partial batch. */
  cut(trigger: 'manual' | 'time'): void {
    if (trigger === 'manual') this.flushUntilSeq = Math.max(this.flushUntilSeq, this.buffer.tailSeq)
    else {
      this.timeDueUntilSeq = this.buffer.tailSeq
      this.timeDueAt = this.options.scheduler.now()
    }
    this.pump()
  }

  /** Resolves when every item accepted before sequence number `seq` has settled. */
  whenSettledBelow(seq: number): Promise<void> {
    if (this.watermark() >= seq) return Promise.resolve()
    return new Promise((resolve) => this.flushWaiters.push({ seq, resolve }))
  }

  /** Items buffered plus in flight (what `capacity` bounds): cheap enough for a router to read per item. */
  get pending(): number {
    return this.buffer.length + this.itemsInFlight
  }

  /** Sequence number of the next item to be accepted. */
  get tailSeq(): number {
    return this.buffer.tailSeq
  }

  /** Every item below this sequence number has settled. */
  private watermark(): number {
    let low = this.buffer.headSeq
    for (const flight of this.flights) if (flight.minSeq < low) low = flight.minSeq
    return low
  }

  /** Cuts as many batches as there are free flush slots and reasons to cut. */
  private pump(): void {
    if (this.pumping) return // re-entered from a synchronous flush: the loop below carries on
    this.pumping = true
    try {
      while (this.flights.size < this.target.concurrency && this.buffer.length > 0 && !this.abandoned) {
        const trigger = this.dueTrigger()
        if (!trigger) break
        this.startFlight(trigger)
      }
    } finally {
      this.pumping = false
    }
    if (this.buffer.length === 0) {
      this.cancelWaitTimer()
    } else if (!this.waitTimer && this.buffer.headSeq >= this.timeDueUntilSeq) {
      // Items accepted after the wait timer fired (e.g. by the sink, re-entrantly) are not overdue:
      // their deadline counts from then at the earliest, so a self-feeding sink cannot spin.
      if (this.headSince < this.timeDueAt) this.headSince = this.timeDueAt
      // A remainder keeps the deadline of the oldest item cut before it: early, never late.
      this.armWaitTimer(this.headSince + this.waitMs - this.options.scheduler.now())
    }
    this.processHold.set(this.buffer.length > 0 || this.flights.size > 0)
    this.checkDrained()
  }

  private dueTrigger(): FlushTrigger | undefined {
    if (this.draining) return 'drain'
    if (this.buffer.length >= this.target.batchSize) return 'size'
    if (this.pendingWeight >= this.options.maxBatchWeight) return 'weight'
    if (this.buffer.headSeq < this.flushUntilSeq) return 'manual'
    if (this.buffer.headSeq < this.timeDueUntilSeq) return 'time'
    return undefined
  }

  /** How many items the next batch takes: up to the target size and, with `weigh`, the weight ceiling. */
  private nextBatchLength(): number {
    const limit = Math.min(this.target.batchSize, this.buffer.length)
    if (!this.weights) return limit
    let weight = 0
    let count = 0
    while (count < limit) {
      const next = this.weights.peek(count)
      if (count > 0 && weight + next > this.options.maxBatchWeight) break
      weight += next
      count++
      if (weight > this.options.maxBatchWeight) {
        this.oversizedItems++ // heavier than the ceiling on its own: it goes alone
        break
      }
    }
    return count
  }

  private startFlight(trigger: FlushTrigger): void {
    const length = this.nextBatchLength()
    const minSeq = this.buffer.headSeq
    const items = this.buffer.take(length)
    if (this.weights) {
      for (const weight of this.weights.take(length)) this.pendingWeight -= weight
      if (this.weights.length === 0) this.pendingWeight = 0 // no float residue left behind
    }
    let tickets: Map<number, Ticket> | undefined
    if (this.tickets.size > 0) {
      for (let i = 0; i < length; i++) {
        const ticket = this.tickets.get(minSeq + i)
        if (!ticket) continue
        this.tickets.delete(minSeq + i)
        ;(tickets ??= new Map()).set(i, ticket)
      }
    }
    this.itemsInFlight += length
    const flight: Flight<T> = {
      id: this.nextBatchId++, items, flushed: undefined, tickets, minSeq, trigger, batchSize: this.target.batchSize,
      attempt: 0, abort: undefined, timer: undefined, done: false,
    }
    this.flights.add(flight)
    this.send({ type: 'BATCH_STARTED', batchId: flight.id, size: length, trigger })
    this.runAttempt(flight)
  }

  // ── Flushing ─────────────────────────────────────────────────────────────────────

  private runAttempt(flight: Flight<T>): void {
    flight.attempt++
    if (flight.attempt > 1) this.retries++
    const abort = new AttemptSignal()
    flight.abort = abort
    const { scheduler, flushTimeoutMs } = this.options
    const started = scheduler.now()
    const inFlight = this.flights.size
    let answered = false
    const answer = (outcome: Attempt) => {
      if (answered || flight.done) return
      answered = true
      flight.timer?.unsubscribe()
      flight.timer = undefined
      this.onAttempt(flight, outcome, scheduler.now() - started, inFlight)
    }
    const info: FlushInfo = {
      get signal() {
        return abort.signal
      },
      attempt: flight.attempt, batchId: flight.id, batchSize: flight.batchSize, trigger: flight.trigger,
    }
    let result: unknown
    try {
      // A copy: the sink may keep or mutate its batch; a retry must still have the items.
      result = this.options.flush(flight.items.slice(), info)
    } catch (error) {
      answer({ ok: false, error })
      return
    }
    if (isPromiseLike(result)) {
      // Only a pending answer can time out: the timer is armed after the call, not before.
      flight.timer = scheduleAfter(scheduler, flushTimeoutMs, () => {
        const error = new FlushTimeoutError(flushTimeoutMs)
        abort.abort(error)
        answer({ ok: false, error })
      })
      try {
        result.then(
          (feedback) => answer({ ok: true, feedback }),
          (error: unknown) => answer({ ok: false, error }),
        )
      } catch (error) {
        answer({ ok: false, error }) // a thenable whose then() throws: a failed attempt
      }
    } else {
      answer({ ok: true, feedback: result })
    }
  }

  private onAttempt(flight: Flight<T>, outcome: Attempt, durationMs: number, inFlight: number): void {
    this.timings.record(durationMs)
    this.itemsAttempted += flight.items.length
    const carried = flight.items.length
    const attempt = { durationMs, inFlight, trigger: flight.trigger, attempt: flight.attempt }
    if (outcome.ok) {
      this.recordSample(outcome.feedback ?? {}, 'flush', false, carried, durationMs, attempt)
      this.settleFlight(flight, undefined)
      return
    }
    this.failedFlushes++
    const error = outcome.error
    if (error instanceof PartialBatchError) this.keepOnlyFailed(flight, error)
    const errorKind = classifyError(error, this.options.classify)
    this.recordSample({ errorRate: flight.items.length / carried }, 'flush', true, carried, durationMs, { ...attempt, errorKind })
    if (flight.items.length === 0) {
      this.settleFlight(flight, undefined)
    } else if ((errorKind === 'tooLarge' || errorKind === 'badItem') && flight.items.length > 1 && !this.abandoned) {
      this.splitFlight(flight, errorKind)
    } else if (errorKind === 'tooLarge' || errorKind === 'badItem' || errorKind === 'fatal') {
      this.settleFlight(flight, error) // alone and still refused, or nothing to retry for: that item, not its batch
    } else if (flight.attempt < this.options.retry.attempts && !this.abandoned) {
      const delay = backoffDelay(flight.attempt, this.options.retry, this.random)
      flight.timer = scheduleAfter(this.options.scheduler, delay, () => {
        flight.timer = undefined
        this.runAttempt(flight)
      })
    } else {
      this.settleFlight(flight, error)
    }
  }

  /**
   * Cuts a refused batch in two and flushes both halves at once, each with fresh attempts:
   * `tooLarge` also lowers the size ceiling to the half, so no item is dead-lettered for its
   * batch's size; `badItem` halves until the poison item is alone.
   */
  private splitFlight(flight: Flight<T>, kind: 'tooLarge' | 'badItem'): void {
    if (kind === 'tooLarge') this.lowerCeiling(Math.floor(flight.items.length / 2))
    flight.done = true
    flight.timer?.unsubscribe()
    this.flights.delete(flight)
    const half = Math.ceil(flight.items.length / 2)
    for (const [part, from, to] of [[0, 0, half], [1, half, flight.items.length]] as const) {
      let tickets: Map<number, Ticket> | undefined
      for (let i = from; i < to; i++) {
        const ticket = flight.tickets?.get(i)
        if (ticket) (tickets ??= new Map()).set(i - from, ticket)
      }
      const child: Flight<T> = {
        // The first half keeps the batch's id and the items it already flushed (reported when it settles).
        id: part === 0 ? flight.id : this.nextBatchId++, items: flight.items.slice(from, to), flushed: part === 0 ? flight.flushed : undefined, tickets, minSeq: flight.minSeq,
        trigger: flight.trigger, batchSize: flight.batchSize, attempt: 0, abort: undefined, timer: undefined, done: false,
      }
      this.flights.add(child)
      if (part === 1) this.send({ type: 'BATCH_STARTED', batchId: child.id, size: child.items.length, trigger: child.trigger })
      this.runAttempt(child)
    }
  }

  /** The size bounds in force: the options' range under the ceiling `tooLarge` errors taught. */
  private sizeBounds(): ResolvedOptions<T>['size'] {
    const { size } = this.options
    if (size.max <= this.sizeCeiling) return size
    return { initial: size.initial, min: Math.min(size.min, this.sizeCeiling), max: this.sizeCeiling }
  }

  private lowerCeiling(items: number): void {
    this.sizeCeiling = Math.max(1, Math.min(this.sizeCeiling, items))
    if (this.target.batchSize > this.sizeCeiling) {
      this.target = { ...this.target, batchSize: this.sizeCeiling }
      this.reportTarget(undefined)
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
    this.itemsFlushed += succeeded
    this.itemsInFlight -= succeeded
    flight.items = items
    flight.tickets = tickets
    this.admitWaiters() // the room the succeeded items freed goes to waiting producers first, in order
  }

  /** Ends a flight: flushed when `error` is undefined, else dead-lettered. Frees its slot. */
  private settleFlight(flight: Flight<T>, error: unknown, leftover = false): void {
    if (flight.done) return
    flight.done = true
    flight.timer?.unsubscribe()
    flight.timer = undefined
    this.flights.delete(flight)
    const count = flight.items.length
    this.itemsInFlight -= count
    const ok = error === undefined
    if (ok) {
      this.itemsFlushed += count
      flight.tickets?.forEach((ticket) => ticket.resolve())
    } else {
      this.giveUp(flight.items, flight.items.map((_, index) => flight.tickets?.get(index)), error, leftover)
    }
    const flushed = ok ? [...(flight.flushed ?? []), ...flight.items] : (flight.flushed ?? [])
    this.send({ type: 'BATCH_SETTLED', batchId: flight.id, ok, flushed, failed: ok ? [] : flight.items, error })
    this.admitWaiters()
    this.releaseFlushWaiters()
    this.pump()
  }

  /**
   * Items that will not be flushed here: offered to `takeLeftovers` first when they are an
   * unfinished actor's leftovers, else their `submit`s rejected and the items dead-lettered.
   * Counted as failed by this runtime either way (a supervisor subtracts what it took over).
   */
  private giveUp(items: T[], tickets: readonly (Ticket | undefined)[], error: unknown, leftover: boolean): void {
    this.itemsFailed += items.length
    if (leftover && this.takeLeftovers?.(items, tickets)) return
    for (const ticket of tickets) ticket?.reject(error)
    this.deadLetter(items, error)
  }

  private deadLetter(items: T[], error: unknown): void {
    const { onDeadLetter, logger } = this.options
    if (!onDeadLetter) {
      logger.error(`loadbatch: ${items.length} item(s) failed after their last attempt and no onDeadLetter is set`, error)
      return
    }
    try {
      const result = onDeadLetter(items, error)
      if (isPromiseLike(result)) result.then(undefined, (e: unknown) => logger.error('loadbatch: onDeadLetter rejected', e))
    } catch (e) {
      logger.error('loadbatch: onDeadLetter threw', e)
    }
  }

  private releaseFlushWaiters(): void {
    if (this.flushWaiters.length === 0) return
    const mark = this.watermark()
    for (let i = this.flushWaiters.length - 1; i >= 0; i--) {
      const waiter = this.flushWaiters[i]!
      if (waiter.seq <= mark) {
        this.flushWaiters.splice(i, 1)
        waiter.resolve()
      }
    }
  }

  // ── Timers ───────────────────────────────────────────────────────────────────────

  private armWaitTimer(delay: number): void {
    if (delay === Infinity || this.draining) return
    this.cancelWaitTimer()
    this.waitTimer = scheduleAfter(this.options.scheduler, delay, () => {
      this.waitTimer = undefined
      this.send({ type: 'TIMEOUT' })
    })
  }

  private cancelWaitTimer(): void {
    this.waitTimer?.unsubscribe()
    this.waitTimer = undefined
  }

  // ── Feedback and adjusting ───────────────────────────────────────────────────────

  /**
   * Records a feedback sample (from a flush or a monitor); arms the controller's cadence, also
   * while draining (a producer that fills the buffer and calls `stop()` still gets adapted to).
   */
  recordSample(
    raw: unknown, source: 'flush' | 'monitor', failed = false, batchSize = 0, latencyMs?: number,
    attempt?: Pick<FeedbackSample, 'durationMs' | 'inFlight' | 'trigger' | 'errorKind' | 'attempt'>,
  ): void {
    const { feedback, rejected } = sanitizeFeedback(raw)
    this.feedbackRejected += rejected
    const withLatency: LoadFeedback = latencyMs !== undefined && feedback.latencyMs === undefined ? { ...feedback, latencyMs } : feedback
    const controller = this.options.controller
    const score = this.scoreOf(withLatency)
    const at = this.options.scheduler.now()
    const seq = ++this.sampleSeq
    this.samples.push(attempt ? { at, feedback: withLatency, score, source, failed, batchSize, seq, ...attempt, backlog: this.buffer.length } : { at, feedback: withLatency, score, source, failed, batchSize, seq })
    if (this.samples.length > SAMPLE_WINDOW) this.samples.shift()
    this.freshFeedback = true
    if (!this.adjustTimer && !this.abandoned && this.isAdaptive()) {
      this.adjustTimer = scheduleAfter(this.options.scheduler, controller.intervalMs, () => {
        this.adjustTimer = undefined
        if (this.freshFeedback && !this.abandoned) this.send({ type: 'TICK' })
      })
    }
  }

  /** The controller's score of one sample; the default `scoreLoad` where the controller's own throws or leaves 0..1. */
  private scoreOf(feedback: LoadFeedback): number {
    const { controller, logger } = this.options
    if (!controller.score) return scoreLoad(feedback)
    try {
      const score = controller.score(feedback)
      if (score >= 0 && score <= 1) return score
      logger.error(`loadbatch: controller ${controller.name} score() gave ${String(score)}, not a number in 0..1; using scoreLoad()`)
    } catch (error) {
      logger.error(`loadbatch: controller ${controller.name} score() threw; using scoreLoad()`, error)
    }
    return scoreLoad(feedback)
  }

  private isAdaptive(): boolean {
    const { size, concurrency } = this.options
    return size.min < size.max || concurrency.min < concurrency.max
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

  /** Runs the controller on the latest samples and puts its target in force (clamped to bounds). */
  adjust(): ControlTarget {
    if (this.samples.length === 0) return this.target
    const { controller, concurrency, scheduler, logger } = this.options
    const size = this.sizeBounds()
    this.freshFeedback = false
    try {
      const decision = controller.decide(
        { target: this.target, samples: this.samples.slice(), bounds: { size, concurrency }, now: scheduler.now() },
        this.controllerState,
      )
      this.controllerState = decision.state
      if (decision.reason) this.lastDecision = decision
      const next = { batchSize: clampTo(decision.batchSize, size), concurrency: clampTo(decision.concurrency, concurrency) }
      if (next.batchSize !== this.target.batchSize || next.concurrency !== this.target.concurrency) {
        this.target = next
        this.reportTarget(decision.reason)
      }
    } catch (error) {
      logger.error(`loadbatch: controller ${controller.name} threw; keeping the current target`, error)
    }
    this.pump() // a shrunken target cuts an over-full buffer now, not at the next add
    return this.target
  }

  /** The mean score of the latest samples, 0 before any. */
  private loadScore(): number {
    if (this.samples.length === 0) return 0
    let sum = 0
    for (const sample of this.samples) sum += sample.score
    return sum / this.samples.length
  }

  // ── Draining and stopping ────────────────────────────────────────────────────────

  /**
   * Refuses new items (waiting producers get BatcherStoppedError: they were never accepted),
   * flushes all that is buffered, and sends `DRAINED` when nothing is left. Past `timeoutMs`,
   * in-flight flushes are aborted and every unsettled item goes to onDeadLetter.
   */
  beginDrain(timeoutMs?: number): void {
    if (this.draining) return
    this.closeEntry()
    this.cancelWaitTimer()
    if (timeoutMs !== undefined) {
      this.stopTimer = scheduleAfter(this.options.scheduler, timeoutMs, () => this.abandon(new AbortError(`stop() timed out after ${timeoutMs} ms`)))
    }
    this.pump()
  }

  /** Stops accepting; producers still waiting get BatcherStoppedError (their items were never accepted). */
  private closeEntry(): void {
    this.accepting = false
    this.draining = true
    for (const waiter of this.waiters.drain()) {
      if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort)
      waiter.reject(new BatcherStoppedError('The batcher stopped before this item found room; it was not accepted'))
    }
  }

  /**
   * Gives up on everything unsettled: aborts running flushes and dead-letters every item left
   * (offered to `takeLeftovers` first when `leftover`: the actor stopped before it drained).
   */
  abandon(error: unknown, leftover = false): void {
    this.abandoned = true
    for (const flight of [...this.flights]) {
      flight.abort?.abort(error)
      this.settleFlight(flight, error, leftover)
    }
    while (this.buffer.length > 0) {
      const minSeq = this.buffer.headSeq
      const items = this.buffer.take(this.buffer.length)
      this.weights?.take(items.length)
      this.pendingWeight = 0
      const tickets = items.map((_, i) => this.tickets.get(minSeq + i))
      this.tickets.clear()
      this.giveUp(items, tickets, error, leftover)
    }
    this.releaseFlushWaiters()
    this.processHold.set(false)
    this.checkDrained()
  }

  private checkDrained(): void {
    if (this.draining && !this.drainedSent && this.buffer.length === 0 && this.flights.size === 0) {
      this.drainedSent = true
      this.send({ type: 'DRAINED' })
    }
  }

  /** Cancels every timer and subscription and settles `stopped`. Called once, on reaching `stopped`. */
  release(): void {
    if (this.released) return
    const drained = this.drainedSent
    this.released = true // from here on, no event goes to the actor
    if (!drained) {
      // Stopped from outside (e.g. a parent stopped this child) before draining: nothing may be lost.
      this.closeEntry()
      this.abandon(new AbortError('The batcher actor was stopped before it drained'), true)
    }
    this.cancelWaitTimer()
    this.adjustTimer?.unsubscribe()
    this.stopTimer?.unsubscribe()
    this.feedbackSubscription?.unsubscribe()
    this.processHold.set(false)
    this.countLateItems()
    this.resolveStopped()
  }

  /**
   * XState drops events sent to a stopped actor without a trace; `ADD`/`ADD_MANY` items sent to
   * this one from now on are counted as dropped. Watched through the system's inspection,
   * registered only now (it costs nothing while running) and only for a root actor (a child's
   * system belongs to its parent, which goes on running).
   */
  private countLateItems(): void {
    const self = this.self as AnyActorRef & { _parent?: unknown }
    if (self._parent !== undefined) return
    self.system.inspect((inspection) => {
      if (inspection.type !== '@xstate.event' || inspection.actorRef !== self) return
      const event = inspection.event as BatcherEvent
      if (event.type === 'ADD' || event.type === 'ADD_MANY') this.refuse(itemCount(event))
    })
  }

  private send(event: BatcherEvent): void {
    if (!this.released) this.self.send(event)
  }

  // ── Metrics ──────────────────────────────────────────────────────────────────────

  /** A snapshot of the counters; `state` comes from the actor. */
  metrics(state: BatcherMetrics['state']): BatcherMetrics {
    const t = this.timings
    return {
      itemsAdded: this.itemsAdded,
      itemsFlushed: this.itemsFlushed,
      itemsDropped: this.itemsDropped,
      itemsFailed: this.itemsFailed,
      itemsBuffered: this.buffer.length,
      itemsInFlight: this.itemsInFlight,
      flushCount: t.count,
      failedFlushes: this.failedFlushes,
      retries: this.retries,
      lastFlushMs: t.lastMs,
      avgFlushMs: t.count === 0 ? 0 : t.totalMs / t.count,
      totalFlushMs: t.totalMs,
      p50FlushMs: t.quantile(0.5),
      p99FlushMs: t.quantile(0.99),
      batchSize: this.target.batchSize,
      avgBatchSize: t.count === 0 ? 0 : this.itemsAttempted / t.count,
      concurrency: this.target.concurrency,
      loadScore: this.loadScore(),
      feedbackRejected: this.feedbackRejected,
      oversizedItems: this.oversizedItems,
      state,
    }
  }
}

/** Items an `ADD` or `ADD_MANY` event carries (a malformed `ADD_MANY` counts as one). */
export function itemCount(event: { type: string; items?: unknown }): number {
  return event.type === 'ADD_MANY' && Array.isArray(event.items) ? event.items.length : 1
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  try {
    return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
  } catch {
    return false // a `then` getter that throws: not a promise, and not feedback either
  }
}

/**
 * The distinct failed indexes a PartialBatchError names, or undefined when it names none or any
 * index that is no integer within the batch (or reading it throws): then the whole batch is retried.
 */
function failedIndexes(error: PartialBatchError, length: number): Set<number> | undefined {
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
