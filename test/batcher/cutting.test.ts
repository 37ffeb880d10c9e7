import { describe, expect, it } from 'vitest'
import { BatcherCounters } from '../../src/batcher/batcherMetrics.ts'
import { resolveOptions } from '../../src/batcher/batcherOptions.ts'
import { Cutting } from '../../src/batcher/cutting.ts'
import type { FeedbackWindow } from '../../src/batcher/feedbackWindow.ts'
import { ItemBuffer } from '../../src/batcher/itemBuffer.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'

/**
 * The wait timer on its own (src/batcher/cutting.ts), where the runtime cannot reach: a timer
 * that fires on an empty buffer (its items taken without a cut, as `abandon` takes them) asks
 * for no cut and arms nothing.
 */
function cutting() {
  const time = createVirtualTime()
  const options = resolveOptions<number>({ flush: () => {}, size: 2, maxWaitMs: 100, scheduler: time.scheduler })
  const buffer = new ItemBuffer<number>(false, 2)
  const window = { target: { batchSize: 2, concurrency: 1 } } as FeedbackWindow<number>
  let timeouts = 0
  const cut = new Cutting(options, buffer, window, new BatcherCounters(), () => false, () => void timeouts++)
  return { time, buffer, cut, timeouts: () => timeouts }
}

describe('the wait timer', () => {
  it('asks for a cut once the first item waited maxWaitMs', async () => {
    const { time, buffer, cut, timeouts } = cutting()
    buffer.push(1)
    cut.firstItem()
    await time.advanceBy(99)
    expect(timeouts()).toBe(0)
    await time.advanceBy(1)
    expect(timeouts()).toBe(1)
  })

  it('asks for nothing and arms nothing when it fires on an empty buffer', async () => {
    const { time, buffer, cut, timeouts } = cutting()
    buffer.push(1)
    cut.firstItem()
    buffer.take(1)
    await time.advanceBy(100)
    expect(timeouts()).toBe(0)
    expect(time.scheduler.actions.filter((action) => !action.closed)).toHaveLength(0)
  })
})
