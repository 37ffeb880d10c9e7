import { describe, expect, it } from 'vitest'
import { createBatcher, createVirtualTime, PartialBatchError } from '../../src/index.ts'
import { manualSink } from '../../src/testing/index.ts'

/**
 * What a batcher emits for `actor.on(...)` (src/batcher/chartLink.ts): each batch flushed with
 * all its items (those a partial failure flushed first, then the rest), what was dead-lettered
 * with its error, and refusals counted by reason, reported once per turn of the event loop.
 */
function watched<T>(options: Parameters<typeof createBatcher<T>>[0]) {
  const batcher = createBatcher<T>(options)
  const emitted: unknown[] = []
  batcher.actor.on('*', (event: { type: string }) => {
    if (event.type !== 'target.changed') emitted.push(event)
  })
  return { batcher, emitted }
}

describe('what a batcher emits', () => {
  it('reports a flushed batch with its items, and batches settled within one turn together', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const { batcher, emitted } = watched<number>({ flush: sink.flush, size: 2, concurrency: 2, maxWaitMs: 1e9, scheduler: time.scheduler })
    batcher.addMany([1, 2, 3, 4])
    sink.resolveAll()
    expect(emitted).toEqual([])
    await time.settle()
    expect(emitted).toEqual([{ type: 'batch.flushed', batchId: 1, items: [1, 2] }, { type: 'batch.flushed', batchId: 2, items: [3, 4] }])
  })

  it('reports the items a partial failure flushed with the batch, and the dead-lettered ones with their error', async () => {
    const time = createVirtualTime()
    const sink = manualSink<string>()
    const { batcher, emitted } = watched<string>({ flush: sink.flush, size: 4, maxWaitMs: 1e9, scheduler: time.scheduler, retry: { attempts: 2, backoffMs: 10, jitter: false }, onDeadLetter: () => {} })
    batcher.addMany(['a', 'b', 'c', 'd'])
    sink.pending()[0]!.failItems([1, 3])
    await time.advanceBy(10)
    const failure = new Error('still down')
    sink.pending()[0]!.reject(failure)
    await time.settle()
    expect(emitted).toEqual([
      { type: 'batch.flushed', batchId: 1, items: ['a', 'c'] },
      { type: 'batch.deadLettered', batchId: 1, items: ['b', 'd'], error: failure },
    ])
  })

  it('reports a batch whose retry flushed the rest as one flushed batch', async () => {
    const time = createVirtualTime()
    const sink = manualSink<string>()
    const { batcher, emitted } = watched<string>({ flush: sink.flush, size: 3, maxWaitMs: 1e9, scheduler: time.scheduler, retry: { attempts: 2, backoffMs: 10, jitter: false } })
    batcher.addMany(['a', 'b', 'c'])
    sink.pending()[0]!.failItems([1])
    await time.advanceBy(10)
    sink.pending()[0]!.resolve()
    await time.settle()
    expect(emitted).toEqual([{ type: 'batch.flushed', batchId: 1, items: ['a', 'c', 'b'] }])
  })

  it('counts refusals by reason within one report', async () => {
    const time = createVirtualTime()
    const { batcher, emitted } = watched<number>({ flush: () => new Promise(() => {}), size: 2, capacity: 2, scheduler: time.scheduler, weigh: (n) => (n < 0 ? NaN : 1), maxBatchWeight: 10 })
    batcher.tryAdd(-1)
    batcher.addMany([1, 2, 3, 4])
    batcher.tryAdd(5)
    await time.settle()
    batcher.tryAdd(6)
    await time.settle()
    expect(emitted).toEqual([
      { type: 'items.dropped', count: 1, reason: 'invalidWeight' },
      { type: 'items.dropped', count: 3, reason: 'full' },
      { type: 'items.dropped', count: 1, reason: 'full' },
    ])
  })

  it('shows an inspector every batch start and settle as it happens', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const events: string[] = []
    const batcher = createBatcher<number>({
      flush: sink.flush, size: 1, concurrency: 2, maxWaitMs: 1e9, scheduler: time.scheduler,
      inspect: (inspection) => {
        if (inspection.type === '@xstate.event' && inspection.event.type.startsWith('BATCH_')) events.push(inspection.event.type)
      },
    })
    batcher.addMany([1, 2])
    expect(events).toEqual(['BATCH_STARTED', 'BATCH_STARTED'])
    sink.pending()[0]!.resolve()
    await time.settle()
    expect(events).toEqual(['BATCH_STARTED', 'BATCH_STARTED', 'BATCH_SETTLED'])
    expect(batcher.state).toBe('flushing')
  })
})
