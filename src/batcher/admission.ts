import { AbortError, BatcherStoppedError } from '../errors.ts'
import { WaitQueue } from '../waitQueue.ts'
import type { Ticket } from './flight.ts'

/** The promise of every `add` accepted at once: already settled, so one serves them all. */
const ACCEPTED = Promise.resolve()

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

/** What admission needs of its batcher, as callbacks. */
export interface AdmissionHost<T> {
  /** False once the batcher stopped taking items. */
  isOpen(): boolean
  /** True while one more item fits (buffered plus in flight below capacity). */
  hasRoom(): boolean
  /** The item's weight, or the error refusing it. */
  weightOf(item: T): number | Error
  /** Puts an admitted item into the buffer. */
  accept(item: T, ticket: Ticket | undefined, weight: number): void
}

/**
 * Producers waiting for room, first come first served: `add` and `submit` wait here when the
 * batcher is full, leave on abort (O(1)), and are refused with BatcherStoppedError (never
 * accepted) when the batcher stops taking items.
 */
export class Admission<T> {
  private readonly waiters = new WaitQueue<Waiter<T>>()

  constructor(private readonly host: AdmissionHost<T>) {}

  /**
   * `add` (settles once accepted) and `submit` (settles with the item's outcome): accepts at once
   * when nobody waits and there is room, else waits its turn. Rejects with BatcherStoppedError
   * when closed, AbortError on abort, and the weight's error for an item `weigh` refuses.
   */
  enter(item: T, submitted: boolean, signal: AbortSignal | undefined): Promise<void> {
    if (!submitted) return this.admitOrWait(item, undefined, signal)
    return new Promise<void>((resolve, reject) => {
      this.admitOrWait(item, { resolve, reject }, signal).catch(reject)
    })
  }

  private admitOrWait(item: T, ticket: Ticket | undefined, signal: AbortSignal | undefined): Promise<void> {
    if (!this.host.isOpen()) return Promise.reject(new BatcherStoppedError())
    if (signal?.aborted) return Promise.reject(new AbortError(signal.reason))
    const weight = this.host.weightOf(item)
    if (typeof weight !== 'number') return Promise.reject(weight)
    if (this.waiters.size === 0 && this.host.hasRoom()) {
      this.host.accept(item, ticket, weight)
      return ACCEPTED
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
    while (this.waiters.size > 0 && this.host.hasRoom()) {
      const waiter = this.waiters.shift()!
      if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort)
      this.host.accept(waiter.item, waiter.ticket, waiter.weight)
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
