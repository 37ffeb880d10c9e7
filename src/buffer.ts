/**
 * A FIFO queue of items with O(1) push and amortised O(1) batch removal from the head.
 * Each item gets a sequence number (its position in the batcher's lifetime order), so
 * per-item promises and flush watermarks are tracked without touching the per-item path.
 *
 * Why not `Array.prototype.shift`: it is O(n) per call; here the head index advances and the
 * array is compacted only when the dead prefix outgrows the live part.
 */
export class ItemBuffer<T> {
  private items: T[] = []
  private head = 0
  /** Sequence number of the item at the head (the next to be taken). */
  headSeq = 0

  /** Items buffered. */
  get length(): number {
    return this.items.length - this.head
  }

  /** Sequence number the next pushed item will get. */
  get tailSeq(): number {
    return this.headSeq + this.length
  }

  /** Appends one item. */
  push(item: T): void {
    this.items.push(item)
  }

  /** The item `offset` places behind the head (no bounds check). */
  peek(offset: number): T {
    return this.items[this.head + offset] as T
  }

  /** Removes and returns the first `count` items (fewer if fewer are buffered). */
  take(count: number): T[] {
    const n = Math.min(count, this.length)
    const batch = this.items.slice(this.head, this.head + n)
    this.head += n
    this.headSeq += n
    if (this.head === this.items.length) {
      this.items = []
      this.head = 0
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return batch
  }
}
