import { describe, expect, it } from 'vitest'
import { AbortError, BatcherStoppedError, createBatcher, createVirtualTime } from '../../src/index.ts'
import { manualSink } from '../support/sink.ts'

function setup(capacity = 4) {
  const time = createVirtualTime()
  const sink = manualSink<number>()
  const warnings: string[] = []
  const logger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} }
  const batcher = createBatcher({ flush: sink.flush, size: 2, capacity, scheduler: time.scheduler, logger })
  return { time, sink, batcher, warnings }
}

describe('capacity and backpressure', () => {
  it('tryAdd refuses past capacity, counts the drop and logs it at a bounded rate', async () => {
    const { time, sink, batcher, warnings } = setup()
    for (let i = 0; i < 4; i++) expect(batcher.tryAdd(i)).toBe(true)
    for (let i = 0; i < 100; i++) expect(batcher.tryAdd(99)).toBe(false)
    expect(batcher.metrics().itemsDropped).toBe(100)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/dropped 1 item\(s\).*capacity 4/)
    await time.advanceBy(10_000)
    batcher.tryAdd(99)
    expect(warnings[1]).toMatch(/dropped 100 item/)
    for (const call of sink.pending()) call.resolve()
    await time.settle()
    for (const call of sink.pending()) call.resolve()
    await batcher.stop()
  })

  it('add waits for room and is let in first come, first served', async () => {
    const { time, sink, batcher } = setup()
    batcher.addMany([0, 1, 2, 3])
    const order: number[] = []
    const waits = [4, 5, 6].map((n) => batcher.add(n).then(() => order.push(n)))
    await time.settle()
    expect(order).toEqual([])
    expect(batcher.tryAdd(7)).toBe(false) // no jumping the queue
    sink.calls[0]!.resolve() // frees 2 slots
    await time.settle()
    expect(order).toEqual([4, 5])
    sink.calls[1]!.resolve()
    await Promise.all(waits)
    expect(order).toEqual([4, 5, 6])
    const stopped = batcher.stop()
    await time.settle()
    for (const call of sink.pending()) call.resolve()
    await time.settle()
    for (const call of sink.pending()) call.resolve()
    await stopped
    expect(sink.items()).toEqual([0, 1, 2, 3, 4, 5, 6])
  })

  it('add rejects with AbortError when its signal aborts while waiting, and the item is not added', async () => {
    const { time, sink, batcher } = setup()
    batcher.addMany([0, 1, 2, 3])
    const controller = new AbortController()
    const waiting = batcher.add(4, { signal: controller.signal })
    controller.abort(new Error('client went away'))
    await expect(waiting).rejects.toBeInstanceOf(AbortError)
    await expect(waiting).rejects.toMatchObject({ message: 'Aborted: client went away' })
    await expect(batcher.add(5, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError)
    sink.calls[0]!.resolve()
    await time.settle()
    sink.calls[1]!.resolve()
    await batcher.stop()
    expect(sink.items()).toEqual([0, 1, 2, 3])
    expect(batcher.metrics().itemsAdded).toBe(4)
  })

  it('add and submit after stop reject with BatcherStoppedError; tryAdd returns false', async () => {
    const { batcher } = setup()
    await batcher.stop()
    await expect(batcher.add(1)).rejects.toBeInstanceOf(BatcherStoppedError)
    await expect(batcher.submit(1)).rejects.toBeInstanceOf(BatcherStoppedError)
    expect(batcher.tryAdd(1)).toBe(false)
    expect(batcher.metrics()).toMatchObject({ itemsAdded: 0, itemsDropped: 1 })
  })

  it('producers waiting when stop() is called are told, not silently lost', async () => {
    const { time, sink, batcher } = setup()
    batcher.addMany([0, 1, 2, 3])
    const waiting = batcher.add(4)
    const stopped = batcher.stop()
    await expect(waiting).rejects.toBeInstanceOf(BatcherStoppedError)
    for (const call of sink.pending()) call.resolve()
    await time.settle()
    for (const call of sink.pending()) call.resolve()
    await stopped
    expect(batcher.metrics()).toMatchObject({ itemsAdded: 4, itemsFlushed: 4 })
  })

  it('addMany accepts what fits, in order, and counts the rest as dropped', async () => {
    const { time, sink, batcher } = setup()
    expect(batcher.addMany([0, 1, 2, 3, 4, 5])).toBe(4)
    expect(batcher.metrics()).toMatchObject({ itemsAdded: 4, itemsDropped: 2 })
    sink.calls[0]!.resolve()
    await time.settle()
    sink.calls[1]!.resolve()
    await batcher.stop()
    expect(sink.items()).toEqual([0, 1, 2, 3])
  })

  it('submit resolves once its batch was flushed', async () => {
    const { time, sink, batcher } = setup()
    let flushed = false
    const submitted = batcher.submit(1).then(() => (flushed = true))
    batcher.tryAdd(2)
    await time.settle()
    expect(flushed).toBe(false)
    sink.calls[0]!.resolve()
    await submitted
    expect(flushed).toBe(true)
    await batcher.stop()
  })
})
