import { describe, expect, it } from 'vitest'
import { ConfigError, createBatcher, createVirtualTime, PartialBatchError } from '../../src/index.ts'
import { fromBatcherEvents, type SettledBatch } from '../../src/rx/fromBatcherEvents.ts'

describe('fromBatcherEvents', () => {
  it('emits each settled batch, flushed and dead-lettered items apart, and completes when the batcher stops', async () => {
    const time = createVirtualTime()
    const batcher = createBatcher<number>({
      size: 3, scheduler: time.scheduler, retry: { attempts: 2, backoffMs: 10, jitter: false },
      flush: (batch) => {
        const index = batch.indexOf(2)
        if (index >= 0) throw new PartialBatchError([{ index, cause: 'two is bad' }])
      },
    })
    const seen: SettledBatch<number>[] = []
    let completed = false
    fromBatcherEvents(batcher).subscribe({ next: (b) => seen.push(b), complete: () => (completed = true) })
    batcher.addMany([1, 2, 3, 4, 5, 6])
    await time.advanceBy(10)
    const stopped = batcher.stop()
    await time.advanceBy(10)
    await stopped
    expect(seen).toEqual([
      { type: 'flushed', batchId: 1, items: [1, 3] },
      { type: 'deadLettered', batchId: 1, items: [2], error: expect.any(PartialBatchError) },
      { type: 'flushed', batchId: 2, items: [4, 5, 6] }, // concurrency 1: batch 2 waits for batch 1's retry
    ])
    expect(completed).toBe(true)
  })

  it('completes at once for a batcher that has already stopped', async () => {
    const batcher = createBatcher<number>({ flush: () => {} })
    await batcher.stop()
    let completed = false
    fromBatcherEvents(batcher).subscribe({ complete: () => (completed = true) })
    expect(completed).toBe(true)
  })

  it('stops listening on unsubscribe and leaves the batcher running', async () => {
    const batcher = createBatcher<number>({ size: 1, flush: () => {} })
    const seen: SettledBatch<number>[] = []
    const subscription = fromBatcherEvents(batcher).subscribe((b) => seen.push(b))
    batcher.tryAdd(1)
    await batcher.flush()
    subscription.unsubscribe()
    batcher.tryAdd(2)
    await batcher.flush()
    expect(seen.map((b) => b.items)).toEqual([[1]])
    expect(batcher.metrics().itemsFlushed).toBe(2)
    await batcher.stop()
  })

  it('refuses something that is not a batcher', () => {
    expect(() => fromBatcherEvents({} as never)).toThrow(ConfigError)
    expect(() => fromBatcherEvents({} as never)).toThrow('`batcher`')
  })
})
