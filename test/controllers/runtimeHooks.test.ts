/**
 * What the batcher hands its controller (runtime hooks of issue 12): each attempt timed on its
 * own with its concurrency, backlog and trigger; adjusting goes on while draining; the default
 * capacity leaves room for every flush slot.
 */
import { describe, expect, it } from 'vitest'
import { createBatcher, createVirtualTime, type Controller, type FeedbackSample } from '../../src/index.ts'

/** Records every window it is shown and doubles the size each time. */
function recorder(windows: FeedbackSample[][]): Controller<null> {
  return {
    name: 'recorder', intervalMs: 1, initialState: () => null,
    decide: ({ target, samples }) => {
      windows.push([...samples])
      return { batchSize: target.batchSize * 2, concurrency: target.concurrency, state: null }
    },
  }
}

const wait = (time: ReturnType<typeof createVirtualTime>, ms: number) => new Promise<void>((resolve) => time.scheduler.schedule(() => resolve(), ms))

describe('runtime hooks for controllers', () => {
  it('gives each flush sample its own duration, flushes in flight, backlog, trigger and a running number', async () => {
    const time = createVirtualTime()
    const windows: FeedbackSample[][] = []
    const batcher = createBatcher<number>({
      flush: () => wait(time, 30), size: { initial: 2, min: 1, max: 2 }, concurrency: 2, controller: recorder(windows), maxWaitMs: 5, scheduler: time.scheduler,
    })
    for (let i = 0; i < 5; i++) batcher.tryAdd(i)
    await time.advanceBy(31)
    const first = windows[0]!
    expect(first.map((s) => [s.durationMs, s.inFlight, s.trigger, s.backlog])).toEqual([[30, 1, 'size', 1], [30, 2, 'size', 0]])
    expect(first.map((s) => s.seq)).toEqual([1, 2])
    const stopped = batcher.stop()
    await time.advanceBy(100)
    await stopped
  })

  it('keeps adjusting while draining', async () => {
    const time = createVirtualTime()
    const windows: FeedbackSample[][] = []
    const batcher = createBatcher<number>({
      flush: () => wait(time, 10), size: { initial: 1, min: 1, max: 64 }, controller: recorder(windows), scheduler: time.scheduler,
    })
    for (let i = 0; i < 100; i++) batcher.tryAdd(i)
    const stopped = batcher.stop()
    await time.advanceBy(200)
    await stopped
    // 100 items from size 1 doubling per flush: 1+2+4+8+16+32+37, far fewer than 100 flushes
    expect(batcher.metrics().flushCount).toBeLessThan(10)
    expect(batcher.metrics().itemsFlushed).toBe(100)
  })

  it('defaults capacity so that every flush slot can hold a full batch twice over', () => {
    const batcher = createBatcher({ flush: () => new Promise<void>(() => {}), size: 1, concurrency: { initial: 1, min: 1, max: 20 } })
    let accepted = 0
    while (batcher.tryAdd(accepted)) accepted++
    expect(accepted).toBe(40)
    void batcher.stop({ timeoutMs: 0 })
  })
})
