import { describe, expect, it } from 'vitest'
import type { BatcherEmitted } from '../../machines/batcher.types.ts'
import { createBatcher, createVirtualTime } from '../../src/index.ts'
import { manualSink } from '../../src/testing/manualSink.ts'
import type { FlushInfo } from '../../src/batcher/flushFunction.ts'

describe('emitted events follow their listeners', () => {
  it('a listener attached later gets what settles from then on; a wildcard listener gets every type', async () => {
    const time = createVirtualTime()
    const batcher = createBatcher<number>({ flush: () => {}, size: 2, scheduler: time.scheduler })
    batcher.addMany([1, 2])
    await time.settle() // nobody listens: this batch is flushed, not reported
    const flushed: BatcherEmitted[] = []
    const everything: BatcherEmitted[] = []
    batcher.actor.on('batch.flushed', (event) => flushed.push(event as BatcherEmitted))
    const wildcard = batcher.actor.on('*', (event) => everything.push(event as BatcherEmitted))
    batcher.addMany([3, 4])
    await time.settle()
    expect(flushed).toEqual([{ type: 'batch.flushed', batchId: 2, items: [3, 4] }])
    expect(everything).toEqual(flushed)
    wildcard.unsubscribe()
    batcher.addMany([5, 6])
    await time.settle()
    expect(everything).toHaveLength(1)
    expect(flushed.map((event) => event.type === 'batch.flushed' && event.items)).toEqual([[3, 4], [5, 6]])
    await batcher.stop()
  })

  it('a wildcard listener gets one event per batch when several settle in one turn, and nothing else', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const batcher = createBatcher<number>({ flush: sink.flush, size: 1, concurrency: 3, scheduler: time.scheduler })
    const everything: unknown[] = []
    batcher.actor.on('*', (event) => everything.push(event))
    batcher.addMany([1, 2, 3])
    await time.settle()
    sink.resolveAll()
    await time.settle()
    expect(everything).toEqual([1, 2, 3].map((item, i) => ({ type: 'batch.flushed', batchId: i + 1, items: [item] })))
    await batcher.stop()
  })

  it('items.dropped reaches a listener with the count and the reason', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const batcher = createBatcher<number>({ flush: sink.flush, size: 2, capacity: 2, scheduler: time.scheduler })
    expect(batcher.addMany([1, 2, 3])).toBe(2) // unheard: not reported
    const dropped: BatcherEmitted[] = []
    batcher.actor.on('items.dropped', (event) => dropped.push(event as BatcherEmitted))
    expect(batcher.addMany([4, 5])).toBe(0)
    await time.settle()
    expect(dropped).toEqual([{ type: 'items.dropped', count: 2, reason: 'full' }])
    expect(batcher.metrics().itemsDropped).toBe(3)
    sink.calls[0]!.resolve()
    await batcher.stop()
  })

  it('an inspector sees every batch settle, as `REPORT` or `BATCH_SETTLED` detail, with no listener attached', async () => {
    const time = createVirtualTime()
    const reported: unknown[] = []
    const batcher = createBatcher<number>({
      flush: () => {}, size: 1, scheduler: time.scheduler,
      inspect: (inspection) => {
        if (inspection.type !== '@xstate.event') return
        const event = inspection.event as { type: string; emitted?: unknown[] }
        if (event.emitted) reported.push(...event.emitted)
      },
    })
    batcher.addMany([1, 2])
    await time.settle()
    expect(reported).toEqual([
      { type: 'batch.flushed', batchId: 1, items: [1] },
      { type: 'batch.flushed', batchId: 2, items: [2] },
    ])
    await batcher.stop()
  })
})

describe('the flush info and the port', () => {
  it('info carries the attempt and its signal, also through Object.create; a detached method still works', async () => {
    const time = createVirtualTime()
    const seen: { attempt: number; batchId: number; trigger: string; aborted: boolean }[] = []
    const batcher = createBatcher<number>({
      size: 2, scheduler: time.scheduler, retry: { attempts: 2, backoffMs: 1, jitter: false },
      flush: (_batch, info: FlushInfo) => {
        const derived = Object.create(info) as FlushInfo
        seen.push({ attempt: derived.attempt, batchId: derived.batchId, trigger: derived.trigger, aborted: derived.signal.aborted })
        if (info.attempt === 1) throw new Error('once')
      },
    })
    const { addMany } = batcher
    expect(addMany([1, 2])).toBe(2)
    await time.advanceBy(5)
    expect(seen).toEqual([
      { attempt: 1, batchId: 1, trigger: 'size', aborted: false },
      { attempt: 2, batchId: 1, trigger: 'size', aborted: false },
    ])
    await batcher.stop()
  })
})
