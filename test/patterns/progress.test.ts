import { describe, expect, it } from 'vitest'
import { ConfigError, createVirtualTime } from '../../src/index.ts'
import { progress } from '../../src/patterns/progress.ts'

describe('progress', () => {
  it('has no NaN and no Infinity before the first item (regression: the guide divided by zero)', () => {
    const time = createVirtualTime()
    const tracker = progress({ total: 100, scheduler: time.scheduler })
    const first = tracker.snapshot()
    expect(first).toEqual({ done: 0, failed: 0, total: 100, fraction: 0, elapsedMs: 0, ratePerSecond: 0, etaMs: undefined })
    tracker.add(10) // at elapsed 0: still no rate
    expect(tracker.snapshot()).toMatchObject({ ratePerSecond: 0, etaMs: undefined, fraction: 0.1 })
  })

  it('gives done, rate and ETA from the scheduler\'s clock', async () => {
    const time = createVirtualTime()
    const tracker = progress({ total: 100, scheduler: time.scheduler })
    await time.advanceBy(2000)
    tracker.add(25, 5)
    expect(tracker.snapshot()).toEqual({ done: 25, failed: 5, total: 100, fraction: 0.25, elapsedMs: 2000, ratePerSecond: 12.5, etaMs: 6000 })
  })

  it('treats a total of 0 as complete and an unknown total as no fraction and no ETA', async () => {
    expect(progress({ total: 0 }).snapshot()).toMatchObject({ fraction: 1, etaMs: 0 })
    const time = createVirtualTime()
    const open = progress({ scheduler: time.scheduler })
    await time.advanceBy(1000)
    open.add(3)
    expect(open.snapshot()).toMatchObject({ total: undefined, fraction: undefined, etaMs: undefined, ratePerSecond: 3 })
  })

  it('ignores counts that are not numbers >= 0 and caps the fraction at 1', () => {
    const tracker = progress({ total: 2 })
    tracker.add(Number.NaN)
    tracker.add(-4)
    tracker.add(3)
    expect(tracker.snapshot()).toMatchObject({ done: 3, fraction: 1, etaMs: 0 })
  })

  it('rejects a total that is not an integer >= 0', () => {
    expect(() => progress({ total: -1 })).toThrow(ConfigError)
    expect(() => progress({ total: Number.NaN })).toThrow('`total`')
  })
})
