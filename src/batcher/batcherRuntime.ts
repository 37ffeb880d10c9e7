import type { Subscription } from 'rxjs'
import type { AnyActorRef } from 'xstate'
import type { BatcherEvent, DropReason, FlushTrigger } from '../../machines/batcher.types.ts'
import type { DecisionReason } from '../controllers/controller.ts'
import { deadLetter } from '../deadLetter.ts'
import { AbortError, BatcherStoppedError, InvalidWeightError } from '../errors.ts'
import type { BatcherMetrics } from '../metrics.ts'
import { ProcessHold, scheduleAfter } from '../scheduler.ts'
import { Admission } from './admission.ts'
import { BatcherCounters } from './batcherMetrics.ts'
import type { ResolvedOptions } from './batcherOptions.ts'
import { ChartLink } from './chartLink.ts'
import { FeedbackWindow } from './feedbackWindow.ts'
import { FlightRunner, newFlight, type Flight, type LeftoverTaker, type Ticket } from './flight.ts'
import { ItemBuffer } from './itemBuffer.ts'
import { refusedWeight, RefusalReports } from './refusals.ts'

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
  /** `submit` promises of buffered items, by sequence number. */
  private readonly tickets = new Map<number, Ticket>()
  private readonly flights = new Set<Flight<T>>()
  private readonly flushWaiters: { seq: number; resolve: () => void }[] = []
  private readonly counters = new BatcherCounters()
  private readonly window: FeedbackWindow<T>
  private readonly admission: Admission<T>
  private readonly runner: FlightRunner<T>
  private readonly refusals: RefusalReports<T>
  private readonly chart: ChartLink
  /** How long a partial batch waits: `maxWaitMs`, or less when the controller asks (`Controller.waitMs`). */
  private readonly waitMs: number
  private nextBatchId = 1
  private accepting = true
  private draining = false
  private pumping = false
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
    private readonly takeLeftovers?: LeftoverTaker<T>,
  ) {
    this.buffer = new ItemBuffer<T>(options.weigh !== undefined)
    this.chart = new ChartLink(self, (count) => this.drop(count, 'stopped'), options.inspect)
    this.window = new FeedbackWindow(options, () => this.chart.send({ type: 'TICK' }))
    this.waitMs = Math.min(options.maxWaitMs, options.controller.waitMs ?? Infinity)
    this.admission = new Admission(() => this.buffer.length + this.counters.itemsInFlight < options.capacity, (item, ticket, weight) => this.accept(item, ticket, weight))
    this.runner = new FlightRunner(options, this.counters, this.window, {
      flights: this.flights, isAbandoned: () => this.abandoned, nextBatchId: () => this.nextBatchId++, backlog: () => this.buffer.length,
      settle: (flight, error) => this.settle(flight, error), partlyFlushed: () => this.admission.admit(),
      started: (flight) => this.chart.started(flight.id, flight.items.length, flight.trigger),
      lowerCeiling: (items) => this.window.lowerCeiling(items) && this.reportTarget(undefined),
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
    if (shown.batchSize !== target.batchSize || shown.concurrency !== target.concurrency) this.reportTarget(undefined)
  }

  /** The chart holds the target in its context: it gets each new one with the controller's reason. */
  private reportTarget(reason: DecisionReason | undefined): void {
    const { batchSize, concurrency } = this.window.target
    this.chart.send(reason === undefined ? { type: 'TARGET_CHANGED', batchSize, concurrency } : { type: 'TARGET_CHANGED', batchSize, concurrency, reason })
  }

  // ── Accept ─────────────────────────────────────────────────────────────────────

  /** Accepts `item` if there is room; otherwise counts it dropped. Never waits. */
  tryAdd(item: T): boolean {
    // The hot path: two comparisons, a push, and a timer only for the first item of a batch.
    if (!this.accepting || this.buffer.length + this.counters.itemsInFlight >= this.options.capacity) return this.drop(1, this.accepting ? 'full' : 'stopped')
    if (!this.buffer.weighted) {
      this.accept(item, undefined, 0)
      return true
    }
    const weight = this.weightOf(item)
    if (typeof weight !== 'number') return this.drop(1, 'invalidWeight')
    this.accept(item, undefined, weight)
    return true
  }

  private weightOf(item: T): number | InvalidWeightError {
    return refusedWeight(this.options.weigh!, item, (error) => this.refusals.invalidWeight(error))
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
    const weight = this.buffer.weighted ? this.weightOf(item) : 0
    if (typeof weight !== 'number') return Promise.reject(weight)
    return this.admission.enter(item, ticket, weight, signal)
  }

  private accept(item: T, ticket: Ticket | undefined, weight: number): void {
    const buffer = this.buffer
    if (ticket) this.tickets.set(buffer.tailSeq, ticket)
    buffer.push(item, weight)
    this.counters.itemsAdded++
    if (buffer.length === 1) {
      this.processHold.set(true)
      this.headSince = this.options.scheduler.now()
      this.armWaitTimer(this.waitMs)
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

  /** Cuts as many batches as there are free flush slots and reasons to cut. */
  private pump(): void {
    if (this.pumping) return // re-entered from a synchronous flush: the loop below carries on
    this.pumping = true
    try {
      while (this.flights.size < this.window.target.concurrency && this.buffer.length > 0 && !this.abandoned) {
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
    if (this.buffer.length >= this.window.target.batchSize) return 'size'
    if (this.buffer.weight >= this.options.maxBatchWeight) return 'weight'
    if (this.buffer.headSeq < this.flushUntilSeq) return 'manual'
    if (this.buffer.headSeq < this.timeDueUntilSeq) return 'time'
    return undefined
  }

  /** How many items the next batch takes: up to the target size and, with `weigh`, the weight ceiling. */
  private nextBatchLength(): number {
    const limit = Math.min(this.window.target.batchSize, this.buffer.length)
    if (!this.buffer.weighted) return limit
    const ceiling = this.options.maxBatchWeight
    let weight = 0
    let count = 0
    while (count < limit) {
      const next = this.buffer.weightAt(count)
      if (count > 0 && weight + next > ceiling) break
      weight += next
      count++
      if (weight > ceiling) {
        this.counters.oversizedItems++ // heavier than the ceiling on its own: it goes alone
        break
      }
    }
    return count
  }

  // ── Attempt ────────────────────────────────────────────────────────────────────

  private startFlight(trigger: FlushTrigger): void {
    const length = this.nextBatchLength()
    const minSeq = this.buffer.headSeq
    const items = this.buffer.take(length)
    const flight = newFlight(this.nextBatchId++, items, this.takeTickets(minSeq, length), minSeq, trigger, this.window.target.batchSize)
    this.counters.itemsInFlight += length
    this.flights.add(flight)
    this.chart.started(flight.id, length, trigger)
    this.runner.run(flight)
  }

  /** The `submit` promises of the `length` items from `minSeq`, by index into the batch. */
  private takeTickets(minSeq: number, length: number): Map<number, Ticket> | undefined {
    if (this.tickets.size === 0) return undefined
    let taken: Map<number, Ticket> | undefined
    for (let i = 0; i < length; i++) {
      const ticket = this.tickets.get(minSeq + i)
      if (!ticket) continue
      this.tickets.delete(minSeq + i)
      ;(taken ??= new Map()).set(i, ticket)
    }
    return taken
  }

  // ── Settle ─────────────────────────────────────────────────────────────────────

  /** Ends a flight: flushed when `error` is undefined, else dead-lettered. Frees its slot. */
  private settle(flight: Flight<T>, error: unknown, leftover = false): void {
    if (flight.done) return
    flight.done = true
    flight.timer?.unsubscribe()
    flight.timer = undefined
    this.flights.delete(flight)
    const count = flight.items.length
    this.counters.itemsInFlight -= count
    const ok = error === undefined
    if (ok) {
      this.counters.itemsFlushed += count
      flight.tickets?.forEach((ticket) => ticket.resolve())
    } else {
      this.giveUp(flight.items, flight.items.map((_, index) => flight.tickets?.get(index)), error, leftover)
    }
    this.chart.settled(flight, ok, error)
    this.admission.admit()
    this.releaseFlushWaiters()
    this.pump()
  }

  /**
   * Items that will not be flushed here: offered to `takeLeftovers` first when they are an
   * unfinished actor's leftovers, else their `submit`s rejected and the items dead-lettered.
   * Counted as failed by this runtime either way (a supervisor subtracts what it took over).
   */
  private giveUp(items: T[], tickets: readonly (Ticket | undefined)[], error: unknown, leftover: boolean): void {
    this.counters.itemsFailed += items.length
    if (leftover && this.takeLeftovers?.(items, tickets)) return
    for (const ticket of tickets) ticket?.reject(error)
    deadLetter(this.options.onDeadLetter, this.options.logger, items, error)
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

  private armWaitTimer(delay: number): void {
    if (delay === Infinity || this.draining) return
    this.cancelWaitTimer()
    this.waitTimer = scheduleAfter(this.options.scheduler, delay, () => {
      this.waitTimer = undefined
      this.chart.send({ type: 'TIMEOUT' })
    })
  }

  private cancelWaitTimer(): void {
    this.waitTimer?.unsubscribe()
    this.waitTimer = undefined
  }

  // ── Control plane ──────────────────────────────────────────────────────────────

  /** Records a feedback sample from a monitor (`FEEDBACK`). */
  recordFeedback(feedback: unknown): void {
    this.window.record(feedback, 'monitor')
  }

  /** Runs the controller; a new target is put in force, reported to the chart, and may cut an over-full buffer now. */
  adjust(): void {
    const reason = this.window.adjust()
    if (reason !== undefined) this.reportTarget(reason ?? undefined)
    this.pump()
  }

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
      this.settle(flight, error, leftover)
    }
    while (this.buffer.length > 0) {
      const minSeq = this.buffer.headSeq
      const items = this.buffer.take(this.buffer.length)
      const tickets = items.map((_, i) => this.tickets.get(minSeq + i))
      this.tickets.clear()
      this.giveUp(items, tickets, error, leftover)
    }
    this.releaseFlushWaiters()
    this.processHold.set(false)
    this.checkDrained()
  }

  private checkDrained(): void {
    if (this.draining && this.buffer.length === 0 && this.flights.size === 0) this.chart.drained()
  }

  /** Cancels every timer and subscription and settles `stopped`. Called once, on reaching `stopped`. */
  release(): void {
    if (!this.chart.release()) return
    if (!this.chart.wasDrained) {
      // Stopped from outside (e.g. a parent stopped this child) before draining: nothing may be lost.
      this.closeEntry()
      this.abandon(new AbortError('The batcher actor was stopped before it drained'), true)
    }
    this.cancelWaitTimer()
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
