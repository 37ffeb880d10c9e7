/**
 * The batcher a user would write with p-queue: an array cut at `size` (or after `maxWaitMs`),
 * each batch a p-queue job run with `concurrency` at once, and producers waiting in `add`
 * while more than `maxQueuedBatches` batches wait in the queue (its backpressure, so memory
 * is bounded like loadbatch's `capacity`).
 */
import PQueue from 'p-queue'

/** Options of {@link PQueueBatcher}. */
export interface PQueueBatcherOptions<T> {
  readonly size: number
  readonly concurrency: number
  readonly maxWaitMs: number
  /** Batches that may wait in the queue before `add` waits. */
  readonly maxQueuedBatches: number
  readonly flush: (batch: T[]) => Promise<unknown>
}

export class PQueueBatcher<T> {
  private items: T[] = []
  private timer: NodeJS.Timeout | undefined
  private readonly queue: PQueue

  constructor(private readonly options: PQueueBatcherOptions<T>) {
    this.queue = new PQueue({ concurrency: options.concurrency })
  }

  /** Buffers `item`, waiting first while the queue is full. */
  async add(item: T): Promise<void> {
    if (this.queue.size >= this.options.maxQueuedBatches) await this.queue.onSizeLessThan(this.options.maxQueuedBatches)
    this.items.push(item)
    if (this.items.length === 1) {
      this.timer = setTimeout(() => this.cut(), this.options.maxWaitMs)
      this.timer.unref()
    }
    if (this.items.length >= this.options.size) this.cut()
  }

  /** Cuts what is buffered and waits until every batch has been flushed. */
  async close(): Promise<void> {
    this.cut()
    await this.queue.onIdle()
  }

  private cut(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.items.length === 0) return
    const batch = this.items
    this.items = []
    void this.queue.add(() => this.options.flush(batch))
  }
}
