import { describe, expect, it } from 'vitest'
import { createBatcher, createVirtualTime } from '../../src/index.ts'
import { manualSink } from '../../src/testing/index.ts'

/**
 * A batcher's counters (src/batcher/batcherMetrics.ts) after flushes of known durations on
 * virtual time: every attempt is timed and counted, a retried batch counts once per attempt in
 * the average batch size, and the quantiles are nearest-rank over the recent attempts.
 */
describe('batcher metrics', () => {
  it('reports zeros before any flush', () => {
    const time = createVirtualTime()
    const batcher = createBatcher<number>({ flush: async () => {}, size: 2, scheduler: time.scheduler })
    expect(batcher.metrics()).toMatchObject({ flushCount: 0, avgFlushMs: 0, avgBatchSize: 0, p50FlushMs: 0, p99FlushMs: 0, lastFlushMs: 0, totalFlushMs: 0, loadScore: 0 })
  })

  it('times and counts every flush attempt, retries included', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const batcher = createBatcher<number>({ flush: sink.flush, size: 2, maxWaitMs: 1e9, retry: { attempts: 2, backoffMs: 5, jitter: false }, scheduler: time.scheduler })
    batcher.tryAdd(1)
    batcher.tryAdd(2)
    await time.advanceBy(10)
    sink.pending()[0]!.resolve()
    await time.settle()
    batcher.tryAdd(3)
    batcher.tryAdd(4)
    batcher.tryAdd(5)
    await time.advanceBy(30)
    sink.pending()[0]!.reject(new Error('busy'))
    await time.advanceBy(5)
    await time.advanceBy(20)
    sink.pending()[0]!.resolve()
    await time.settle()
    expect(batcher.metrics()).toMatchObject({
      itemsAdded: 5, itemsFlushed: 4, itemsFailed: 0, itemsBuffered: 1, itemsInFlight: 0,
      flushCount: 3, failedFlushes: 1, retries: 1, totalFlushMs: 60, avgFlushMs: 20, lastFlushMs: 20, p50FlushMs: 20, p99FlushMs: 30, avgBatchSize: 2,
      batchSize: 2, concurrency: 1,
    })
  })
})
