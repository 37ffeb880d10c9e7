import type { Ticket } from './flight.ts'

/**
 * A FIFO queue of items, each kept with its weight and its `submit` promise, with O(1) push and amortised O(1) batch
 * removal from the head. Each item gets a sequence number (its position in the batcher's
 * lifetime order), so per-item promises and flush watermarks are tracked without touching the
 * per-item path.
 *
 * Why not `Array.prototype.shift`: it is O(n) per call; here the head index advances and the
 * array is compacted only when the dead prefix outgrows the live part.
 */
export class ItemBuffer<T> {
  private items: T[] = []
  /** Each item's weight, at the item's index; absent when the batcher weighs nothing. */
  private weights: number[] | undefined
  private head = 0
  /** Sequence number of the item at the head (the next to be taken). */
  headSeq = 0
  /** `submit` promises of buffered items, by sequence number. */
  private readonly tickets = new Map<number, Ticket>()
  /** Total weight buffered (0 when unweighted). */
  weight = 0

  /** `weighted`: keep each item's weight (the batcher has a `weigh` function). */
  constructor(readonly weighted = false) {
    if (weighted) this.weights = []
  }

  /** Items buffered. */
  get length(): number {
    return this.items.length - this.head
  }

  /** Sequence number the next pushed item will get. */
  get tailSeq(): number {
    return this.headSeq + this.length
  }

  /** Appends one item with its weight (ignored when unweighted) and its `submit` promise, if any. */
  push(item: T, weight = 0, ticket?: Ticket): void {
    if (ticket) this.tickets.set(this.tailSeq, ticket)
    this.items.push(item)
    if (this.weights) {
      this.weights.push(weight)
      this.weight += weight
    }
  }

  /** The weight of the item `offset` places behind the head (0 when unweighted; no bounds check). */
  weightAt(offset: number): number {
    return this.weights ? this.weights[this.head + offset]! : 0
  }

  /**
   * The `submit` promises of the first `count` items, by index among them (undefined when none
   * was submitted); they leave the buffer, so call it just before `take(count)`.
   */
  takeTickets(count: number): Map<number, Ticket> | undefined {
    if (this.tickets.size === 0) return undefined
    let taken: Map<number, Ticket> | undefined
    for (let i = 0; i < count; i++) {
      const ticket = this.tickets.get(this.headSeq + i)
      if (!ticket) continue
      this.tickets.delete(this.headSeq + i)
      ;(taken ??= new Map()).set(i, ticket)
    }
    return taken
  }

  /** Removes and returns the first `count` items (fewer if fewer are buffered), with their weight. */
  take(count: number): T[] {
    const n = Math.min(count, this.length)
    // Taking all of it from the start (the common case): the array itself is the batch, no copy.
    const batch = this.head === 0 && n === this.items.length ? this.items : this.items.slice(this.head, this.head + n)
    if (this.weights) for (let i = 0; i < n; i++) this.weight -= this.weights[this.head + i]!
    this.head += n
    this.headSeq += n
    if (this.head === this.items.length) {
      this.items = []
      if (this.weights) this.weights = []
      this.head = 0
      this.weight = 0 // no float residue left behind
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      if (this.weights) this.weights = this.weights.slice(this.head)
      this.head = 0
    }
    return batch
  }
}
