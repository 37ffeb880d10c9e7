import type { AnyActorRef } from 'xstate'
import type { SupervisorState } from '../../machines/supervisor.types.ts'
import { AbortError, BatcherStoppedError, SupervisorEscalatedError, type InvalidWeightError } from '../errors.ts'
import { measureWeight } from '../batcher/refusals.ts'
import { untilAborted } from '../patterns/untilAborted.ts'
import { ProcessHold, TimerSet } from '../scheduler.ts'
import { RouteRun } from './routeRun.ts'
import { Scaling } from './scaling.ts'
import { closeSlot, deliverHeld, type Held, type Slot } from './slot.ts'
import { WorkerPool } from './workerPool.ts'
import { sumMetrics, type SupervisorMetrics } from './supervisorMetrics.ts'
import type { ResolvedSupervisor } from './supervisorOptions.ts'

/**
 * The data plane and bookkeeping of one supervisor actor: slots, routing, held items, crash
 * leftovers, restarts, scaling handoffs, drain and metrics. The statechart decides; this does
 * what its named actions ask and reports back with a few events (`WORKER_CRASHED`,
 * `RESTART_DUE`, `SCALE_TICK`, `SCALE_DONE`, `DRAINED`).
 *
 * One path for an item: `route` → the run's slot, or the router's pick (see {@link RouteRun}) →
 * the worker's `tryAdd`, or `hold` when the slot has no live worker or its keys are moving →
 * `deliverHeld` feeds the worker in order.
 */
export class SupervisorRuntime<T> {
  /** The workers: slots, routing set, restarts. */
  readonly pool: WorkerPool<T>
  /** The scale timer and scaling steps. */
  readonly scaling: Scaling<T>
  private heldItems = 0
  /** Where the next items go without asking the router. */
  private readonly run: RouteRun<T>
  /** Keeps the process alive while the supervisor itself holds accepted items (workers hold their own). */
  private readonly processHold: ProcessHold
  private itemsDropped = 0
  private accepting = true
  private draining = false
  private failed = false
  /** The error of the escalation, built once. */
  private escalated: SupervisorEscalatedError | undefined
  private readonly timers: TimerSet
  private resolveFinished!: (outcome: 'stopped' | 'failed') => void
  /** Settles with how the supervisor ended. */
  readonly finished: Promise<'stopped' | 'failed'>
  /** Settles when the supervisor stopped or failed (a parent supervisor waits on it when draining). */
  readonly stopped: Promise<void>
  readonly capacity: number

  constructor(
    private readonly options: ResolvedSupervisor<T>,
    private readonly self: AnyActorRef,
  ) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve))
    this.stopped = this.finished.then(() => undefined)
    this.capacity = options.workerCapacity * options.input.max
    this.processHold = new ProcessHold(options.keepAlive)
    this.timers = new TimerSet(options.scheduler)
    this.run = new RouteRun(options.router, options.run)
    this.pool = new WorkerPool(options, self, {
      isFailed: this.gaveUp, addHeld: (count) => (this.heldCount += count),
      escalationError: () => this.escalationError(), later: (delay, work) => this.timers.after(delay, work), attached: (slot) => {
        this.run.end()
        this.deliver(slot)
      },
      crashed: (slot) => this.run.closed(slot),
    })
    this.scaling = new Scaling(options, this.pool, this.timers, {
      isAccepting: () => this.accepting, gaveUp: this.gaveUp, pending: () => this.pending, send: (event) => self.send(event), endRun: () => this.run.end(),
      rehold: (slot, held) => {
        this.heldCount--
        this.hold(slot, held) || this.hold(slot, held, true)
      },
    })
  }

  /** True once the supervisor escalated: slots stop waiting for their workers. */
  private readonly gaveUp = (): boolean => this.failed

  /** Items accepted and held for a worker (restarting, or taking over keys). */
  private get heldCount(): number {
    return this.heldItems
  }

  private set heldCount(count: number) {
    this.heldItems = count
    this.processHold.set(count > 0)
  }

  // ── Entry of items ─────────────────────────────────────────────────────────────────

  /** Routes `item` to a worker if there is room now; never waits. False when stopping, or the chosen worker (or the hold) is full. */
  tryAdd(item: T): boolean {
    // The hot path: within a run, the worker's own tryAdd and nothing else; nothing goes through the interpreter.
    const run = this.run
    if (run.left > 0) {
      run.left--
      return run.port!.tryAdd(item)
    }
    return this.route(item, undefined)
  }

  /** Routes one item with an explicit key (the `ADD { key }` event). */
  route(item: T, key: unknown): boolean {
    if (!this.accepting) return this.refuse(1)
    this.scaling.wake()
    if (this.scaling.handoff !== undefined) return this.refusal(item) === undefined ? this.routeMoving(item, key, undefined) : this.refuse(1)
    const slot = this.run.choose(item, key, this.pool.routeSet)
    const port = slot.port
    if (port !== undefined && !slot.holding) return port.tryAdd(item)
    return (this.refusal(item) === undefined && this.hold(slot, { item, ticket: undefined })) || this.refuse(1)
  }

  /**
   * Routes `items` in order until one finds no room; returns how many were accepted: always a
   * prefix, as with one batcher, so `items.slice(accepted)` is exactly what to offer again. The
   * rest are counted as dropped.
   */
  addMany(items: readonly T[]): number {
    let accepted = 0
    while (accepted < items.length && this.tryAdd(items[accepted]!)) accepted++
    if (accepted < items.length) this.refuse(items.length - accepted - 1) // tryAdd counted the first refusal
    return accepted
  }

  /** Routes `item`, waiting for room in its worker. Rejects with BatcherStoppedError once stopping, AbortError on abort. */
  add(item: T, signal?: AbortSignal): Promise<void> {
    return this.enter(item, signal, false)
  }

  /** Like `add`, but resolves when the item was flushed and rejects when it was finally dead-lettered; follows the item across a worker crash. */
  submit(item: T, signal?: AbortSignal): Promise<void> {
    return this.enter(item, signal, true)
  }

  /** The one waiting path of `add` (settles once accepted) and `submit` (settles with the item's outcome). */
  private enter(item: T, signal: AbortSignal | undefined, submitted: boolean): Promise<void> {
    const refusal = this.refusal(item)
    return refusal ? Promise.reject(refusal) : this.place(item, signal, submitted)
  }

  /**
   * Places an item `enter` let in: straight to its worker's own `add`/`submit` when the worker
   * takes items (the common case: no promise of our own), else held for its slot or waiting for room.
   */
  private place(item: T, signal: AbortSignal | undefined, submitted: boolean): Promise<void> {
    if (!this.accepting) return Promise.reject(new BatcherStoppedError('The supervisor is stopping or stopped and accepts no new items'))
    if (signal?.aborted) return Promise.reject(new AbortError(signal.reason))
    this.scaling.wake() // every route in wakes the scale timer, not only tryAdd's
    const slot = this.run.choose(item, undefined, this.pool.routeSet)
    const port = slot.port
    if (this.scaling.handoff === undefined && port !== undefined && !slot.holding) {
      // A crashed worker's leftovers carry their promises to the replacement, so a BatcherStoppedError here always
      // means "never accepted" (the worker crashed or was retired while the item waited for room): route it again.
      return (submitted ? port.submit(item, { signal }) : port.add(item, { signal })).catch((error: unknown) => {
        if (error instanceof BatcherStoppedError && this.accepting) return this.place(item, signal, submitted)
        throw error
      })
    }
    return new Promise<void>((resolve, reject) => {
      const held = { item, ticket: submitted ? { resolve, reject } : undefined }
      if (this.scaling.handoff !== undefined ? this.routeMoving(item, undefined, held) : this.hold(slot, held)) {
        if (!submitted) resolve()
        return
      }
      untilAborted(this.scaling.handoff?.done ?? slot.ready, signal)
        .then((room) => (room === 'aborted' ? Promise.reject(new AbortError(signal!.reason)) : this.place(item, signal, submitted)))
        .then(resolve, reject)
    })
  }

  /** The error refusing `item` at the door (its weight is invalid), or undefined when a worker would take it. */
  private refusal(item: T): InvalidWeightError | undefined {
    if (this.options.weigh === undefined) return undefined
    const weight = measureWeight(this.options.weigh, item)
    return typeof weight === 'number' ? undefined : weight
  }

  /**
   * Routing while a keyed router's worker set changes: an item whose owner differs between the
   * old and the new set waits in the handoff queue until the old owner has flushed. `held` is
   * given by a caller that waits for room (`add`, `submit`): a full worker or queue is then no
   * refusal, so nothing is counted as dropped.
   */
  private routeMoving(item: T, key: unknown, held: Held<T> | undefined): boolean {
    const handoff = this.scaling.handoff!
    const router = this.options.router
    const slot = this.pool.routeSet[router.pick(item, key, this.pool.routeSet)]!
    if (handoff.from[router.pick(item, key, handoff.from)] !== slot) {
      if (this.heldCount >= this.capacity) return held ? false : this.refuse(1)
      handoff.queue.push({ slot, held: held ?? { item, ticket: undefined } })
      this.heldCount++
      return true
    }
    const port = slot.port
    if (port !== undefined && !slot.holding && (held === undefined || port.pending < port.capacity)) {
      if (held?.ticket === undefined) return port.tryAdd(item)
      port.submit(item).then(held.ticket.resolve, held.ticket.reject)
      return true
    }
    return this.hold(slot, held ?? { item, ticket: undefined }) || (held ? false : this.refuse(1))
  }

  /** Holds an accepted item for `slot`, bounded by one worker's capacity per slot unless `force` (an accepted item is never dropped). */
  private hold(slot: Slot<T>, held: Held<T>, force = false): boolean {
    if (!force && slot.held.length >= this.options.workerCapacity) return false
    slot.held.push(held)
    this.heldCount++
    closeSlot(slot)
    this.run.closed(slot)
    if (slot.port !== undefined) this.deliver(slot)
    return true
  }

  private deliver(slot: Slot<T>): void {
    void deliverHeld(slot, () => this.heldCount--, (held) => this.hold(slot, held))
  }

  /** Counts `count` items refused (never accepted) as dropped. */
  refuse(count: number): false {
    this.itemsDropped += count
    return false
  }

  // ── Control plane actions ──────────────────────────────────────────────────────────

  /** Stops routing; drains every worker (after a pending handoff); sends `DRAINED` when all stopped. */
  beginDrain(timeoutMs?: number): void {
    if (this.draining) return
    this.accepting = false
    this.run.end()
    this.draining = true
    this.scaling.stop()
    void (async () => {
      await this.scaling.handoff?.done
      const retiring = this.pool.slots.filter((slot) => slot.retiring)
      for (const slot of this.pool.slots) slot.retiring = true
      await Promise.all([...this.pool.routeSet, ...retiring].map((slot) => this.pool.drain(slot, timeoutMs)))
      if (!this.failed) this.self.send({ type: 'DRAINED' })
    })()
  }

  /** Gives up: what is held goes to onDeadLetter, workers give up theirs and stop. Then `ESCALATE` makes the actor error. */
  escalate(): void {
    const error = new SupervisorEscalatedError(this.options.input.maxRestarts, this.options.input.withinMs, this.pool.lastCrash)
    this.escalated = error
    this.abandon(error)
    this.failed = true
    this.options.logger.error('loadbatch: supervisor escalated', error)
    this.resolveFinished('failed')
    this.self.send({ type: 'ESCALATE' })
  }

  /** The error `raiseEscalation` throws. */
  escalationError(): SupervisorEscalatedError {
    return (this.escalated ??= new SupervisorEscalatedError(this.options.input.maxRestarts, this.options.input.withinMs, this.pool.lastCrash))
  }

  /** Dead-letters what is held and makes every worker give up what it holds; used on escalation (and by a parent). */
  abandon(error: unknown): void {
    this.accepting = false
    this.run.end()
    this.releaseTimers()
    const held = [...(this.scaling.handoff?.queue.map((entry) => entry.held) ?? []), ...this.pool.slots.flatMap((slot) => slot.held.splice(0))]
    if (this.scaling.handoff) this.scaling.handoff.queue.length = 0
    this.heldCount = 0
    this.pool.deadLetterHeld(held, error)
    for (const slot of this.pool.slots) {
      slot.port?.abandon(error)
      if (slot.ref?.getSnapshot().status === 'active') slot.ref.send({ type: 'STOP' })
      slot.markReady()
    }
  }

  /** Cancels every timer and settles `stopped`. Called on reaching `stopped`. */
  release(): void {
    this.releaseTimers()
    this.resolveFinished('stopped')
  }

  private releaseTimers(): void {
    this.scaling.stop()
    this.timers.cancelAll()
  }

  /** Items held plus buffered and in flight in every worker. */
  get pending(): number {
    let pending = this.heldCount
    for (const slot of this.pool.routeSet) pending += slot.port?.pending ?? 0
    return pending
  }

  /** Sums of every worker's counters (present and past), with the supervisor's held items and refusals. */
  metrics(state: SupervisorState = 'running'): SupervisorMetrics {
    return sumMetrics(this.pool.ports, { held: this.heldCount, dropped: this.itemsDropped, workerCount: this.pool.routeSet.length, restarts: this.pool.restarts }, state)
  }
}

