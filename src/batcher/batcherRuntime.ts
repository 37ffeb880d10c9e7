import type { Subscription } from 'rxjs'
import type { AnyActorRef } from 'xstate'
import type { BatcherEvent, DropReason, FlushTrigger, TargetReason } from '../../machines/batcher.types.ts'
import { AbortError } from '../errors.ts'
import type { BatcherMetrics } from '../metrics.ts'
import { ProcessHold, scheduleAfter } from '../scheduler.ts'
import { Admission } from './admission.ts'
import { BatcherCounters } from './batcherMetrics.ts'
import type { ResolvedOptions } from './batcherOptions.ts'
import { ChartLink } from './chartLink.ts'
import { Cutting } from './cutting.ts'
import { FeedbackWindow } from './feedbackWindow.ts'
import { FlightRunner, newFlight, oldestAttemptStart, type Flight, type LeftoverTaker, type Ticket } from './flight.ts'
import { ItemBuffer } from './itemBuffer.ts'
import { SettledWaiters } from './settledWaiters.ts'
import { RefusalReports } from './refusals.ts'

/**
 * The data plane of one batcher actor. The statechart decides what state the batcher is in;
 * this does the work its named actions ask for. Items never go through the interpreter.
 *
 * One path for an item: accept (`tryAdd`, or `add`/`submit` through {@link Admission}) →
 * buffer → `pump` cuts a batch → a {@link FlightRunner} attempts it → `settle`. `flush()`, the
 * wait timer, adjusting and draining all only change what `pump` may cut, and call it.
 */
export class BatcherRuntime<T> {
  private readonly buffer: ItemBuffer<T>
  private readonly flights = new Set<Flight<T>>()
  private readonly settledWaiters = new SettledWaiters(() => this.watermark())
  private readonly counters = new BatcherCounters()
  private readonly window: FeedbackWindow<T>
  private readonly admission: Admission<T>
  private readonly runner: FlightRunner<T>
  private readonly refusals: RefusalReports<T>
  private readonly chart: ChartLink
  private readonly cutting: Cutting<T>
  private nextBatchId = 1
  private accepting = true
  private draining = false
  private pumping = false
  /** Given up (stop timeout or outside stop): nothing more is cut or retried. */
  private abandoned = false
  private stopTimer: Subscription | undefined
  private readonly feedbackSubscription: Subscription | undefined
  /** Keeps the process alive while items are buffered or in flight (see `keepAlive`). */
  private readonly processHold: ProcessHold
  private resolveStopped!: () => void
  /** Settles when the actor reached `stopped`. */
  readonly stopped: Promise<void>

  constructor(
    private readonly options: ResolvedOptions<T>,
    self: AnyActorRef,
    takeLeftovers?: LeftoverTaker<T>,
  ) {
    this.buffer = new ItemBuffer<T>(options.weigh !== undefined, options.size.initial)
    this.chart = new ChartLink(self, (count) => this.drop(count, 'stopped'), options.inspect)
    this.window = new FeedbackWindow(options, () => this.chart.send({ type: 'TICK' }), () => oldestAttemptStart(this.flights))
    this.cutting = new Cutting(options, this.buffer, this.window, this.counters, () => this.draining, () => this.chart.send({ type: 'TIMEOUT' }))
    this.admission = new Admission({
      isOpen: () => this.accepting, hasRoom: () => this.buffer.length + this.counters.itemsInFlight < options.capacity,
      weightOf: (item) => (this.buffer.weighted ? this.refusals.weightOf(options.weigh!, item) : 0), accept: (item, ticket, weight) => this.accept(item, ticket, weight),
    })
    this.runner = new FlightRunner(options, this.counters, this.window, takeLeftovers, {
      flights: this.flights, isAbandoned: () => this.abandoned, nextBatchId: () => this.nextBatchId++, backlog: () => this.buffer.length,
      settled: (flight, ok, error) => this.settled(flight, ok, error), partlyFlushed: () => this.admission.admit(),
      started: (flight) => this.chart.started(flight.id, flight.items.length, flight.trigger),
      lowerCeiling: (items) => this.window.lowerCeiling(items) && this.newTarget(undefined),
    })
    this.refusals = new RefusalReports(options)
    this.processHold = new ProcessHold(options.keepAlive)
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve))
    this.feedbackSubscription = this.refusals.subscribeFeedback((feedback) => this.chart.send({ type: 'FEEDBACK', feedback }))
  }

  /** Brings the chart up to date now (before reading its state or sending it an outside event). */
  syncChart(): void {
    this.chart.sync()
  }

  /** Tells the chart the target in force when its context (from the machine's input) shows another. */
  reportTargetIfNot(shown: { batchSize: number; concurrency: number }): void {
    const { target } = this.window
    if (shown.batchSize !== target.batchSize || shown.concurrency !== target.concurrency) this.chart.target(target, undefined)
  }

  // ── Accept ─────────────────────────────────────────────────────────────────────

  /** Accepts `item` if there is room; otherwise counts it dropped. Never waits. */
  tryAdd(item: T): boolean {
    // The hot path: two comparisons, a push, and a timer only for the first item of a batch.
    if (!this.accepting || this.buffer.length + this.counters.itemsInFlight >= this.options.capacity) return this.drop(1, this.accepting ? 'full' : 'stopped')
    const weight = this.buffer.weighted ? this.refusals.weightOf(this.options.weigh!, item) : 0
    if (typeof weight !== 'number') return this.drop(1, 'invalidWeight')
    this.accept(item, undefined, weight)
    return true
  }

  /** Accepts as many of `items` as fit, in order: an accepted prefix. The rest are dropped and counted. Returns how many were accepted. */
  addMany(items: readonly T[]): number {
    let accepted = 0
    while (accepted < items.length && this.tryAdd(items[accepted]!)) accepted++
    if (accepted < items.length) this.drop(items.length - accepted - 1, this.accepting ? 'full' : 'stopped') // tryAdd counted the first
    return accepted
  }

  /** Counts items offered while draining or stopped (from `ADD`/`ADD_MANY` events). */
  refuse(count: number): void {
    this.drop(count, 'stopped')
  }

  /** Resolves once `item` is accepted (waiting FIFO for room); rejects on abort or stop. */
  add(item: T, signal?: AbortSignal): Promise<void> {
    return this.admission.enter(item, false, signal)
  }

  /** Resolves when `item`'s batch was flushed; rejects when it was dead-lettered, on abort while waiting, or on stop. */
  submit(item: T, signal?: AbortSignal): Promise<void> {
    return this.admission.enter(item, true, signal)
  }

  private accept(item: T, ticket: Ticket | undefined, weight: number): void {
    const buffer = this.buffer
    buffer.push(item, weight, ticket)
    this.counters.itemsAdded++
    if (buffer.length === 1) {
      this.processHold.set(true)
      this.cutting.firstItem()
    }
    if ((buffer.length >= this.window.target.batchSize || buffer.weight >= this.options.maxBatchWeight) && this.flights.size < this.window.target.concurrency) this.pump()
  }

  private drop(count: number, reason: DropReason): false {
    if (count > 0) {
      this.counters.itemsDropped += count
      this.refusals.dropped(count, reason)
      this.chart.dropped(count, reason)
    }
    return false
  }

  // ── Cut ────────────────────────────────────────────────────────────────────────

  /** Asks for a cut: `manual` cuts all buffered now, `time` the overdue partial batch. */
  cut(trigger: 'manual' | 'time'): void {
    this.cutting.ask(trigger)
    this.pump()
  }

  /** Resolves when every item accepted before sequence number `seq` has settled. */
  whenSettledBelow(seq: number): Promise<void> {
    return this.settledWaiters.whenBelow(seq)
  }

  /** Items buffered plus in flight (what `capacity` bounds): cheap enough for a router to read per item. */
  get pending(): number {
    return this.buffer.length + this.counters.itemsInFlight
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

  /** Nothing buffered and nothing in flight. */
  private readonly idle = (): boolean => this.buffer.length === 0 && this.flights.size === 0

  /** Cuts as many batches as there are free flush slots and reasons to cut. */
  private pump(): void {
    if (this.pumping) return // re-entered from a synchronous flush: the loop below carries on
    this.pumping = true
    try {
      while (this.flights.size < this.window.target.concurrency && this.buffer.length > 0 && !this.abandoned) {
        const trigger = this.cutting.due()
        if (!trigger) break
        this.startFlight(trigger)
      }
    } finally {
      this.pumping = false
    }
    this.cutting.afterCut()
    this.processHold.update(!this.idle(), this.idle)
    this.checkDrained()
  }

  // ── Attempt ────────────────────────────────────────────────────────────────────

  private startFlight(trigger: FlushTrigger): void {
    const length = this.cutting.length()
    const minSeq = this.buffer.headSeq
    const tickets = this.buffer.takeTickets(length)
    const items = this.buffer.take(length)
    const flight = newFlight(this.nextBatchId++, items, tickets, minSeq, trigger, this.window.target.batchSize)
    this.counters.itemsInFlight += length
    this.flights.add(flight)
    this.chart.started(flight.id, length, trigger)
    this.runner.run(flight)
  }

  // ── Settle ─────────────────────────────────────────────────────────────────────

  /** A flight settled (see {@link FlightRunner.settle}): its room goes to waiting producers, then the next cut. */
  private settled(flight: Flight<T>, ok: boolean, error: unknown): void {
    this.chart.settled(flight, ok, error)
    this.admission.admit()
    this.settledWaiters.release()
    this.pump()
  }

  // ── Control plane ──────────────────────────────────────────────────────────────

  /** Records a feedback sample from a monitor (`FEEDBACK`). */
  recordFeedback(feedback: unknown): void {
    this.window.record(feedback, 'monitor')
  }

  /** Runs the controller; a new target is put in force, reported to the chart, and may cut an over-full buffer now. */
  adjust(): void {
    const reason = this.window.adjust()
    if (reason !== undefined) this.newTarget(reason ?? undefined)
    // The decision may have lowered the controller's stall limit: attempts already past it are cut short now.
    this.runner.cutStalled()
    this.pump()
  }

  /** A new target is in force: the buffer chunks by it (a batch cut at it is one chunk) and the chart holds it. True (for chaining). */
  private newTarget(reason: TargetReason | undefined): true {
    this.buffer.chunkSize = this.window.target.batchSize
    return this.chart.target(this.window.target, reason)
  }

  /**
   * Refuses new items (waiting producers get BatcherStoppedError: they were never accepted),
   * flushes all that is buffered, and sends `DRAINED` when nothing is left. Past `timeoutMs`,
   * in-flight flushes are aborted and every unsettled item goes to onDeadLetter.
   */
  beginDrain(timeoutMs?: number): void {
    if (this.draining) return
    this.closeEntry()
    this.cutting.cancel()
    if (timeoutMs !== undefined) this.stopTimer = scheduleAfter(this.options.scheduler, timeoutMs, () => this.abandon(new AbortError(`stop() timed out after ${timeoutMs} ms`)))
    this.pump()
  }

  private closeEntry(): void {
    this.accepting = false
    this.draining = true
    this.admission.close()
  }

  /**
   * Gives up on everything unsettled: aborts running flushes and dead-letters every item left
   * (offered to `takeLeftovers` first when `leftover`: the actor stopped before it drained).
   */
  abandon(error: unknown, leftover = false): void {
    this.abandoned = true
    this.window.stop()
    for (const flight of [...this.flights]) {
      flight.abort?.abort(error)
      this.runner.settle(flight, error, leftover)
    }
    const tickets = this.buffer.takeTickets(this.buffer.length)
    const items = this.buffer.take(this.buffer.length)
    if (items.length > 0) this.runner.giveUp(items, items.map((_, i) => tickets?.get(i)), error, leftover)
    this.settledWaiters.release()
    this.processHold.set(false)
    this.checkDrained()
  }

  private checkDrained(): void {
    if (this.draining && this.idle()) this.chart.drained()
  }

  /** Cancels every timer and subscription and settles `stopped`. Called once, on reaching `stopped`. */
  release(): void {
    if (!this.chart.release()) return
    if (!this.chart.wasDrained) {
      // Stopped from outside (e.g. a parent stopped this child) before draining: nothing may be lost.
      this.closeEntry()
      this.abandon(new AbortError('The batcher actor was stopped before it drained'), true)
    }
    this.cutting.cancel()
    this.window.stop()
    this.stopTimer?.unsubscribe()
    this.feedbackSubscription?.unsubscribe()
    this.processHold.set(false)
    this.resolveStopped()
  }

  /** A snapshot of the counters; `state` comes from the actor. */
  metrics(state: BatcherMetrics['state']): BatcherMetrics {
    return this.counters.snapshot(state, this.buffer.length, this.window.target, this.window.loadScore(), this.window.rejected)
  }
}
