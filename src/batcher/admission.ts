import { AbortError, BatcherStoppedError } from '../errors.ts'
import { WaitQueue } from '../waitQueue.ts'
import type { Ticket } from './flight.ts'

/** A producer waiting in `add`/`submit` for room. */
interface Waiter<T> {
  readonly item: T
  readonly ticket: Ticket | undefined
  /** The item's weight, measured before it waited (0 without `weigh`). */
  readonly weight: number
  resolve(): void
  reject(error: unknown): void
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
}

/** Puts an admitted item into the buffer. */
export type Accept<T> = (item: T, ticket: Ticket | undefined, weight: number) => void

/**
 * Producers waiting for room, first come first served: `add` and `submit` wait here when the
 * batcher is full, leave on abort (O(1)), and are refused with BatcherStoppedError (never
 * accepted) when the batcher stops taking items.
 */
export class Admission<T> {
  private readonly waiters = new WaitQueue<Waiter<T>>()

  constructor(
    private readonly hasRoom: () => boolean,
    private readonly accept: Accept<T>,
  ) {}

  /** Accepts at once when nobody waits and there is room; else waits its turn. Rejects with AbortError on abort. */
  enter(item: T, ticket: Ticket | undefined, weight: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.waiters.size === 0 && this.hasRoom()) {
      this.accept(item, ticket, weight)
      return Promise.resolve()
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter<T> = { item, ticket, weight, resolve, reject, signal, onAbort: undefined }
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

  /** Lets waiting producers in, in order, while there is room. */
  admit(): void {
    while (this.waiters.size > 0 && this.hasRoom()) {
      const waiter = this.waiters.shift()!
      if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort)
      this.accept(waiter.item, waiter.ticket, waiter.weight)
      waiter.resolve()
    }
  }

  /** Refuses everyone still waiting: their items were never accepted. */
  close(): void {
    for (const waiter of this.waiters.drain()) {
      if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort)
      waiter.reject(new BatcherStoppedError('The batcher stopped before this item found room; it was not accepted'))
    }
  }
}
