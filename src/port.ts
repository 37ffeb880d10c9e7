import type { AnyActorLogic, AnyActorRef } from 'xstate'
import type { BatcherMetrics } from './metrics.ts'

/** Options of a call that may wait. */
export interface WaitOptions {
  /** Aborts the wait (rejects with AbortError); an item already accepted stays accepted. */
  readonly signal?: AbortSignal
}

/** Options of {@link ItemPort.stop}. */
export interface StopOptions {
  /** Longest the drain may take, in ms; then running flushes are aborted and what is left goes to onDeadLetter. Default: no limit (each flush is still bounded by flushTimeoutMs and retry). */
  readonly timeoutMs?: number
}

/**
 * The one embedding surface of loadbatch: a batcher, a supervisor and each worker of a
 * supervisor are all item ports. Items go straight in, never as events.
 */
export interface ItemPort<T> {
  /** Accepts `item` if there is room now; never waits. False when full or stopping (counted in `itemsDropped`). */
  tryAdd(item: T): boolean
  /** Accepts `item`, waiting (first come, first served) for room. Rejects with AbortError on abort, BatcherStoppedError after stop. */
  add(item: T, options?: WaitOptions): Promise<void>
  /** Like `add`, but resolves only when the item was flushed, and rejects when it was finally dead-lettered. */
  submit(item: T, options?: WaitOptions): Promise<void>
  /**
   * Accepts as many of `items` as fit now, in order, and returns how many: always a prefix, so
   * `items.slice(accepted)` is exactly what to offer again. The rest are counted as dropped.
   */
  addMany(items: readonly T[]): number
  /** Cuts everything buffered now; resolves when those items have settled (flushed or dead-lettered). */
  flush(): Promise<void>
  /** Drains, then stops: nothing accepted is lost. Idempotent: every call gets the same promise. */
  stop(options?: StopOptions): Promise<void>
  /** A snapshot of the counters; never waits for a flush. */
  metrics(): WorkerMetrics
  /** The state of the statechart. */
  readonly state: string
}

/** What a supervisor needs of a worker: its item port, with how full it is and how to give up on it. */
export interface WorkerPort<T> extends ItemPort<T> {
  /** Items buffered plus in flight; read per item by `leastLoaded`. */
  readonly pending: number
  /** Items buffered plus in flight before `tryAdd` refuses. */
  readonly capacity: number
  /** Resolves when there is room for at least one item. */
  whenRoom(): Promise<void>
  /** Settles when the worker stopped (drained, or failed and gave up what it held). */
  readonly stopped: Promise<void>
  /** Gives up on everything unsettled, dead-lettering it with `error`. */
  abandon(error: unknown): void
}

/** Actor logic to run as a worker, with the way to reach each worker actor's port. */
export interface WorkerLogic<T> {
  readonly logic: AnyActorLogic
  portOf(actor: AnyActorRef): WorkerPort<T> | undefined
}

/** A worker's counters, as a batcher reports them; `state` is the worker's state (a batcher's or a supervisor's). */
export type WorkerMetrics = Omit<BatcherMetrics, 'state'> & { state: string }
