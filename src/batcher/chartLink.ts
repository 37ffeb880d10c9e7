import type { AnyActorRef } from 'xstate'
import type { BatcherEmitted, BatcherEvent, DropReason, FlushTrigger, TargetReason } from '../../machines/batcher.types.ts'
import type { Flight } from './flight.ts'

/** Items an `ADD` or `ADD_MANY` event carries (a malformed `ADD_MANY` counts as one). */
export function itemCount(event: { type: string; items?: unknown }): number {
  return event.type === 'ADD_MANY' && Array.isArray(event.items) ? event.items.length : 1
}

/**
 * The runtime's line to its own actor. The chart gets only what changes its state or its
 * target: the batches in flight are reconciled a moment after a change, two microtasks later
 * (a batch that starts and settles meanwhile, e.g. a flush that answers at once, costs the
 * chart nothing), and per-batch detail goes in one `REPORT` then, for the chart to emit.
 * Reading the state, an outside event and an inspector bring the chart up to date at once. Nothing is sent once the actor reached `stopped`
 * (XState drops it without a trace; `ADD`/`ADD_MANY` items sent from then on are counted as
 * dropped through `lateItems`).
 */
export class ChartLink {
  private released = false
  private drainedSent = false
  /** Batches in flight in the runtime, and as the chart last heard. */
  private inFlight = 0
  private chartInFlight = 0
  /** The batch that started last (what `BATCH_STARTED` carries). */
  private lastId = 0
  private lastSize = 0
  private lastTrigger: FlushTrigger = 'size'
  /** Per-batch detail not reported yet. */
  private emitted: BatcherEmitted[] = []
  private readonly drops = new Map<DropReason, number>()
  private syncDue = false

  /** `eager`: an inspector is attached, so it sees every batch start and settle as it happens. */
  constructor(
    private readonly self: AnyActorRef,
    private readonly lateItems: (count: number) => void,
    private readonly eager: boolean,
  ) {}

  /** Sends `event` to the actor unless it has stopped, after what is due to the chart. */
  send(event: BatcherEvent): void {
    this.sync()
    if (!this.released) this.self.send(event)
  }

  /** The chart holds the target in its context: it gets each new one with the controller's reason. True (for chaining). */
  target(target: { readonly batchSize: number; readonly concurrency: number }, reason: TargetReason | undefined): true {
    const { batchSize, concurrency } = target
    this.send(reason === undefined ? { type: 'TARGET_CHANGED', batchSize, concurrency } : { type: 'TARGET_CHANGED', batchSize, concurrency, reason })
    return true
  }

  /** A batch was cut and handed to the flush function. */
  started(batchId: number, size: number, trigger: FlushTrigger): void {
    this.inFlight++
    this.lastId = batchId
    this.lastSize = size
    this.lastTrigger = trigger
    this.schedule()
  }

  /** A batch settled: flushed (`ok`), or dead-lettered with `error` (after its retries). */
  settled<T>(flight: Flight<T>, ok: boolean, error: unknown): void {
    this.inFlight--
    const batchId = flight.id
    if (this.listens('batch.flushed')) {
      const flushed = ok ? (flight.flushed ? [...flight.flushed, ...flight.items] : flight.items) : flight.flushed
      if (flushed?.length) this.emitted.push({ type: 'batch.flushed', batchId, items: flushed })
    }
    if (!ok && flight.items.length > 0 && this.listens('batch.deadLettered')) this.emitted.push({ type: 'batch.deadLettered', batchId, items: flight.items, error })
    this.schedule()
  }

  /** Items were refused. */
  dropped(count: number, reason: DropReason): void {
    if (!this.listens('items.dropped')) return
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + count)
    this.schedule()
  }

  /**
   * True when an emitted event of `type` has a taker: an inspector (it sees every event), or a
   * listener registered with `actor.on(type | '*')`. Per-batch detail nobody takes is not
   * collected at all (emitting it through the interpreter cost ~17% of `tryAdd` at batch 100).
   * Read from the actor's listener map (XState v5's `actor.on` keeps them there); should that
   * ever move, everything is reported, as before.
   */
  private listens(type: BatcherEmitted['type']): boolean {
    if (this.eager) return true
    const listeners = (this.self as { eventListeners?: unknown }).eventListeners
    if (!(listeners instanceof Map)) return true
    return (listeners.get(type)?.size ?? 0) > 0 || (listeners.get('*')?.size ?? 0) > 0
  }

  private schedule(): void {
    if (this.syncDue || this.released) return
    this.syncDue = true
    if (this.eager) this.sync()
    else queueMicrotask(this.syncSoon)
  }

  /**
   * One more microtask before syncing: an async flush that answers at once settles in between
   * (its reaction was queued before this), so a batch cut by the last `await add` of a batch and
   * flushed by a no-op sink costs the chart no transition at all (two were ~7 µs a batch).
   */
  private readonly syncSoon = (): void => queueMicrotask(this.syncNow)
  private readonly syncNow = (): void => this.sync()

  /** Tells the chart how many batches are in flight now, and reports what happened since it last heard (at once, not at the end of the turn). */
  sync(): void {
    if (!this.syncDue) return
    this.syncDue = false
    if (this.released) return
    while (this.chartInFlight < this.inFlight) {
      this.chartInFlight++
      this.self.send({ type: 'BATCH_STARTED', batchId: this.lastId, size: this.lastSize, trigger: this.lastTrigger })
    }
    for (const [reason, count] of this.drops) this.emitted.push({ type: 'items.dropped', count, reason })
    this.drops.clear()
    const emitted = this.emitted
    if (emitted.length > 0) this.emitted = []
    while (this.chartInFlight > this.inFlight) {
      this.chartInFlight--
      // The last settle carries the report, so an inspector sees two events per batch, not three.
      this.self.send(this.chartInFlight > this.inFlight || emitted.length === 0 ? { type: 'BATCH_SETTLED', batchId: 0, ok: true } : { type: 'BATCH_SETTLED', batchId: 0, ok: true, emitted })
      if (this.chartInFlight === this.inFlight) return
    }
    if (emitted.length > 0) this.self.send({ type: 'REPORT', emitted })
  }

  /** Draining found nothing left: `DRAINED`, once. */
  drained(): void {
    if (this.drainedSent) return
    this.drainedSent = true
    this.send({ type: 'DRAINED' })
  }

  /** True once `DRAINED` was sent. */
  get wasDrained(): boolean {
    return this.drainedSent
  }

  /** The actor stopped: nothing more is sent. False when it was already released. */
  release(): boolean {
    if (this.released) return false
    this.released = true
    this.countLateItems()
    return true
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
      if (event.type === 'ADD' || event.type === 'ADD_MANY') this.lateItems(itemCount(event))
    })
  }
}
