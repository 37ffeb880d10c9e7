import { describe, expect, it } from 'vitest'
import { createBatcher, createVirtualTime, type Batcher } from '../../src/index.ts'
import { manualSink, recordingSink } from '../support/sink.ts'

describe('cutting batches', () => {
  it('cuts a batch when the buffer reaches the target size', async () => {
    const time = createVirtualTime()
    const sink = recordingSink<number>()
    const batcher = createBatcher({ flush: sink.flush, size: 3, scheduler: time.scheduler })
    for (let i = 0; i < 7; i++) batcher.tryAdd(i)
    await time.settle()
    expect(sink.batches).toEqual([[0, 1, 2], [3, 4, 5]])
    expect(sink.infos.map((i) => i.trigger)).toEqual(['size', 'size'])
    expect(batcher.metrics().itemsBuffered).toBe(1)
    await batcher.stop()
  })

  it('flushes a partial batch after maxWaitMs, not before', async () => {
    const time = createVirtualTime()
    const sink = recordingSink<number>()
    const batcher = createBatcher({ flush: sink.flush, size: 10, maxWaitMs: 100, scheduler: time.scheduler })
    batcher.tryAdd(1)
    await time.advanceBy(40)
    batcher.tryAdd(2)
    await time.advanceBy(59)
    expect(sink.batches).toEqual([])
    await time.advanceBy(1)
    expect(sink.batches).toEqual([[1, 2]])
    expect(sink.infos[0]!.trigger).toBe('time')
    await batcher.stop()
  })

  it('restarts the wait after a size flush, so the next batch is not cut early', async () => {
    const time = createVirtualTime()
    const sink = recordingSink<number>()
    const batcher = createBatcher({ flush: sink.flush, size: 2, maxWaitMs: 100, scheduler: time.scheduler })
    batcher.tryAdd(1)
    await time.advanceBy(90)
    batcher.tryAdd(2) // size flush at t=90
    await time.advanceBy(5)
    batcher.tryAdd(3) // arrives at t=95: due at t=195, not at t=100
    await time.advanceBy(50)
    expect(sink.batches).toEqual([[1, 2]])
    await time.advanceBy(50)
    expect(sink.batches).toEqual([[1, 2], [3]])
    await batcher.stop()
  })

  it('runs no timer while the buffer is empty', async () => {
    const time = createVirtualTime()
    const sink = recordingSink<number>()
    const batcher = createBatcher({ flush: sink.flush, size: 2, maxWaitMs: 100, scheduler: time.scheduler })
    expect(time.scheduler.actions).toHaveLength(0)
    batcher.tryAdd(1)
    expect(time.scheduler.actions).toHaveLength(1)
    batcher.tryAdd(2)
    await time.settle()
    // the flush settled: no wait timer, no flush timeout left behind
    expect(time.scheduler.actions.filter((a) => !a.closed)).toHaveLength(0)
    await batcher.stop()
  })

  it('never calls flush with an empty batch', async () => {
    const time = createVirtualTime()
    const sink = recordingSink<number>()
    const batcher = createBatcher({ flush: sink.flush, size: 2, maxWaitMs: 10, scheduler: time.scheduler })
    await batcher.flush()
    batcher.tryAdd(1)
    batcher.tryAdd(2)
    await time.advanceBy(100)
    await batcher.flush()
    await batcher.stop()
    expect(sink.batches).toEqual([[1, 2]])
  })

  it('flush() cuts everything buffered and resolves when it has settled', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const batcher = createBatcher({ flush: sink.flush, size: 2, maxWaitMs: 1000, concurrency: 2, scheduler: time.scheduler })
    for (let i = 0; i < 5; i++) batcher.tryAdd(i) // [0,1] [2,3] cut by size; 4 waits
    let done = false
    const flushed = batcher.flush().then(() => (done = true))
    await time.settle()
    expect(sink.calls.map((c) => c.batch)).toEqual([[0, 1], [2, 3]])
    sink.calls[0]!.resolve()
    await time.settle()
    expect(sink.calls[2]!.batch).toEqual([4])
    expect(sink.calls[2]!.info.trigger).toBe('manual')
    sink.calls[2]!.resolve()
    await time.settle()
    expect(done).toBe(false) // [2,3] is still in flight
    sink.calls[1]!.resolve()
    await flushed
    expect(batcher.metrics().itemsFlushed).toBe(5)
    await batcher.stop()
  })

  it('keeps adding while a flush runs, and cuts the next batch when a slot frees', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const batcher = createBatcher({ flush: sink.flush, size: 2, scheduler: time.scheduler })
    for (let i = 0; i < 6; i++) expect(batcher.tryAdd(i)).toBe(true)
    await time.settle()
    expect(sink.calls).toHaveLength(1)
    expect(batcher.state).toBe('flushing')
    sink.calls[0]!.resolve()
    await time.settle()
    expect(sink.calls.map((c) => c.batch)).toEqual([[0, 1], [2, 3]])
    sink.calls[1]!.resolve()
    await time.settle()
    sink.calls[2]!.resolve()
    await time.settle()
    expect(sink.items()).toEqual([0, 1, 2, 3, 4, 5])
    expect(batcher.state).toBe('collecting')
    await batcher.stop()
  })

  it('runs up to `concurrency` flushes at once', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const batcher = createBatcher({ flush: sink.flush, size: 1, concurrency: 3, scheduler: time.scheduler })
    for (let i = 0; i < 5; i++) batcher.tryAdd(i)
    await time.settle()
    expect(sink.pending()).toHaveLength(3)
    expect(batcher.actor.getSnapshot().context.inFlight).toBe(3)
    sink.calls[1]!.resolve()
    await time.settle()
    expect(sink.pending().map((c) => c.batch[0])).toEqual([0, 2, 3])
    for (const call of sink.pending()) call.resolve()
    await time.settle()
    for (const call of sink.pending()) call.resolve()
    await batcher.stop()
    expect(sink.items().sort()).toEqual([0, 1, 2, 3, 4])
  })

  it('caps each batch at maxBatchWeight and sends an overweight item alone', async () => {
    const time = createVirtualTime()
    const sink = recordingSink<string>()
    const batcher = createBatcher<string>({
      flush: sink.flush, size: 10, maxWaitMs: 50, weigh: (s) => s.length, maxBatchWeight: 10, scheduler: time.scheduler,
    })
    batcher.addMany(['aaaa', 'bbbb', 'cccc', 'x'.repeat(25), 'dd'])
    await time.advanceBy(50)
    await batcher.stop()
    expect(sink.batches).toEqual([['aaaa', 'bbbb'], ['cccc'], ['x'.repeat(25)], ['dd']])
    expect(sink.infos[0]!.trigger).toBe('weight')
    expect(batcher.metrics().oversizedItems).toBe(1)
  })

  it('tells the flush function its batch id, attempt, size and trigger', async () => {
    const time = createVirtualTime()
    const sink = recordingSink<number>()
    const batcher = createBatcher({ flush: sink.flush, size: 2, scheduler: time.scheduler })
    batcher.addMany([1, 2, 3])
    await batcher.stop()
    expect(sink.infos.map(({ batchId, attempt, batchSize, trigger }) => ({ batchId, attempt, batchSize, trigger }))).toEqual([
      { batchId: 1, attempt: 1, batchSize: 2, trigger: 'size' },
      { batchId: 2, attempt: 1, batchSize: 2, trigger: 'drain' },
    ])
    expect(sink.infos[0]!.signal.aborted).toBe(false)
  })
})

describe('a sink that feeds the batcher', () => {
  it('an item re-added from inside a time-triggered flush waits its own maxWaitMs instead of spinning', async () => {
    const time = createVirtualTime()
    const cuts: number[] = []
    let next = 1
    const batcher: Batcher<number> = createBatcher<number>({
      size: 10, maxWaitMs: 10, scheduler: time.scheduler,
      flush: () => {
        cuts.push(time.now())
        if (next < 1000) batcher.tryAdd(next++) // a requeue: every flush offers one more item, synchronously
      },
    })
    batcher.tryAdd(0)
    await time.advanceBy(100)
    expect(cuts).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
    await batcher.stop()
  })
})
