/**
 * The floor every batcher is measured against: a bare array batcher. Push, and when the
 * array holds `size` items hand it to the sink and start a new one. No timer, no bound, no
 * metrics, no retry: what "batching" costs with nothing else.
 */
export class BareBatcher<T> {
  private items: T[] = []

  constructor(
    private readonly size: number,
    private readonly sink: (batch: T[]) => void,
  ) {}

  /** Appends `item`; cuts a batch at `size`. Always true (it has no capacity to refuse). */
  push(item: T): boolean {
    this.items.push(item)
    if (this.items.length >= this.size) {
      const batch = this.items
      this.items = []
      this.sink(batch)
    }
    return true
  }

  /** Hands the partial batch to the sink, if any. */
  flush(): void {
    if (this.items.length === 0) return
    const batch = this.items
    this.items = []
    this.sink(batch)
  }
}
