/** Issue 10 items 10 and 11: room goes to waiting producers first, in order, whatever freed it; waiting and aborting are O(1). */
import { describe, expect, it } from 'vitest'
import { AbortError, createBatcher, createVirtualTime, PartialBatchError } from '../../src/index.ts'
import { WaitQueue } from '../../src/waitQueue.ts'
import { manualSink } from '../support/sink.ts'

describe('admission of waiting producers', () => {
  it('room freed by a partial success goes to waiting add()s at once, before a later tryAdd', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const batcher = createBatcher<number>({ flush: sink.flush, size: 4, capacity: 4, scheduler: time.scheduler, retry: { attempts: 3, backoffMs: 10_000, jitter: false } })
    batcher.addMany([1, 2, 3, 4])
    const admitted: number[] = []
    const waiting = [5, 6, 7].map((item) => batcher.add(item).then(() => admitted.push(item)))
    await time.settle()
    sink.calls[0]!.reject(new PartialBatchError([{ index: 0, cause: 'retry me' }]))
    await time.settle()
    expect(admitted).toEqual([5, 6, 7]) // not after the 10 s backoff
    expect(batcher.tryAdd(8)).toBe(false) // the room went to the producers who waited
    await Promise.all(waiting)
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 3, itemsInFlight: 1, itemsBuffered: 3, itemsDropped: 1 })
  })

  it('aborting waiters in the middle keeps the others in order', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const batcher = createBatcher<number>({ flush: sink.flush, size: 1, capacity: 1, scheduler: time.scheduler })
    batcher.tryAdd(0)
    const controllers = Array.from({ length: 6 }, () => new AbortController())
    const admitted: number[] = []
    const outcomes = controllers.map((controller, item) => batcher.add(item + 1, { signal: controller.signal }).then(() => admitted.push(item + 1), (error: unknown) => error))
    controllers[1]!.abort('no longer needed')
    controllers[3]!.abort('no longer needed')
    for (let i = 0; i < 4; i++) {
      await time.settle()
      sink.pending()[0]!.resolve()
    }
    await time.settle()
    expect(admitted).toEqual([1, 3, 5, 6])
    expect(await outcomes[1]).toBeInstanceOf(AbortError)
  })

  it('a producer adding from onDeadLetter, while others wait, waits behind them', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    let late: Promise<void> | undefined
    const batcher = createBatcher<number>({
      flush: sink.flush, size: 2, capacity: 2, scheduler: time.scheduler, retry: { attempts: 1 },
      onDeadLetter: () => void (late ??= batcher.add(5)), // called as the failed batch frees its room
    })
    batcher.addMany([1, 2])
    const waiting = [batcher.add(3), batcher.add(4)]
    await time.settle()
    sink.calls[0]!.reject(new Error('down'))
    await time.settle()
    await Promise.all(waiting)
    expect(sink.pending().map((call) => call.batch)).toEqual([[3, 4]])
    sink.pending()[0]!.resolve()
    await time.advanceBy(1000) // 5 alone, cut by the wait timer
    await late
    expect(sink.calls.map((call) => call.batch)).toEqual([[1, 2], [3, 4], [5]])
  })
})

describe('WaitQueue', () => {
  it('is FIFO with removal of any entry, and removing twice does nothing', () => {
    const queue = new WaitQueue<number>()
    const entries = [1, 2, 3, 4, 5].map((value) => queue.push(value))
    queue.remove(entries[0]!)
    queue.remove(entries[2]!)
    queue.remove(entries[2]!)
    queue.remove(entries[4]!)
    expect(queue.size).toBe(2)
    expect(queue.shift()).toBe(2)
    queue.push(6)
    expect(queue.drain()).toEqual([4, 6])
    expect(queue.size).toBe(0)
    expect(queue.shift()).toBeUndefined()
  })
})
