import type { AnyActorRef } from 'xstate'
import type { BatcherEvent, DropReason, FlushTrigger } from '../../machines/batcher.types.ts'
import type { Flight } from './flight.ts'

/** Items an `ADD` or `ADD_MANY` event carries (a malformed `ADD_MANY` counts as one). */
export function itemCount(event: { type: string; items?: unknown }): number {
  return event.type === 'ADD_MANY' && Array.isArray(event.items) ? event.items.length : 1
}

/**
 * The runtime's line to its own actor: the few control events the chart needs, none once the
 * actor reached `stopped` (XState drops them without a trace; `ADD`/`ADD_MANY` items sent from
 * then on are counted as dropped through `lateItems`).
 */
export class ChartLink {
  private released = false
  private drainedSent = false

  constructor(
    private readonly self: AnyActorRef,
    private readonly lateItems: (count: number) => void,
  ) {}

  /** Sends `event` to the actor unless it has stopped. */
  send(event: BatcherEvent): void {
    if (!this.released) this.self.send(event)
  }

  /** A batch was cut and handed to the flush function. */
  started(batchId: number, size: number, trigger: FlushTrigger): void {
    this.send({ type: 'BATCH_STARTED', batchId, size, trigger })
  }

  /** A batch settled: flushed (`ok`), or dead-lettered with `error` (after its retries). */
  settled<T>(flight: Flight<T>, ok: boolean, error: unknown): void {
    const flushed = ok ? [...(flight.flushed ?? []), ...flight.items] : (flight.flushed ?? [])
    this.send({ type: 'BATCH_SETTLED', batchId: flight.id, ok, flushed, failed: ok ? [] : flight.items, error })
  }

  /** Items were refused. */
  dropped(_count: number, _reason: DropReason): void {}

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
