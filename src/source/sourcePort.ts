import type { LoadFeedback } from '../feedback.ts'

/** The load a port reports in `metrics()`: what a source reads to size its next read. */
export interface PortLoad {
  /** Items waiting in the port's buffer(s). */
  readonly itemsBuffered: number
  /** Items in batches cut and not yet settled. */
  readonly itemsInFlight: number
  /** The port's target batch size (a supervisor reports its workers' mean). */
  readonly batchSize: number
  /** Workers of a supervisor; absent for a batcher. */
  readonly workerCount?: number
  /** Items the port accepts at once, when the port reports it. */
  readonly capacity?: number
}

/**
 * What a source needs of the port it feeds: a batcher (`createBatcher`) or a supervisor
 * (`createSupervisor`) fits as it is. `submit(item)` resolves when the item's batch was
 * flushed and rejects when it was dead-lettered (or never accepted): the source acknowledges
 * an entry on the first and leaves it to the broker's redelivery on the second. A port that
 * refuses items because it stopped (BatcherStoppedError) stops the source too.
 */
export interface SourcePort<T> {
  submit(item: T, options?: { readonly signal?: AbortSignal }): Promise<void>
  /** Cuts everything buffered now; a stopping source calls it so it need not wait `maxWaitMs`. */
  flush(): Promise<void>
  metrics(): PortLoad
  /** When present, the source sends it `FEEDBACK` events with the broker's load. */
  readonly actor?: { send(event: { type: 'FEEDBACK'; feedback: LoadFeedback }): void }
}

/** What every source returns: stop it, read its counters. */
export interface SourceHandle<M> {
  /**
   * Stops reading, cuts the port's buffer, waits until every item it handed over has settled,
   * and acknowledges what was flushed; what failed stays with the broker for redelivery.
   * Idempotent. Past `timeoutMs` it gives up waiting: unacknowledged entries stay with the
   * broker and are delivered again (duplicates, never loss). Never rejects.
   */
  stop(options?: { readonly timeoutMs?: number }): Promise<void>
  /** A snapshot of the source's counters. */
  metrics(): M
}

/**
 * The capacity to assume for `port` when none is given: what the port reports, else a
 * batcher's default (10 × its batch size, per worker of a supervisor). A port given a
 * smaller capacity than that should be described with the source's `capacity` option.
 */
export function defaultCapacity(port: SourcePort<unknown>): number {
  const load = port.metrics()
  if (typeof load.capacity === 'number' && load.capacity >= 1) return Math.floor(load.capacity)
  return Math.max(1, Math.floor(10 * Math.max(1, load.batchSize) * Math.max(1, load.workerCount ?? 1)))
}

/**
 * Items the source may still hand to `port` without any of them waiting: the capacity less
 * what the port holds (from every producer) or what this source holds unacknowledged,
 * whichever is more. Never negative.
 */
export function portRoom(port: SourcePort<unknown>, capacity: number, held: number): number {
  const load = port.metrics()
  return Math.max(0, capacity - Math.max(load.itemsBuffered + load.itemsInFlight, held))
}

/** `port.submit(item)` as a promise that never throws synchronously: a throw becomes a rejection. */
export function submitTo<T>(port: SourcePort<T>, item: T): Promise<void> {
  try {
    return port.submit(item)
  } catch (error) {
    return Promise.reject(error)
  }
}
