import { describe, expect, it } from 'vitest'
import { feedbackWindow } from '../support/feedbackWindow.ts'

/**
 * The controller's stall watch and attempt limit (src/batcher/feedbackWindow.ts), on a window of
 * its own: `due` once the oldest running attempt passes `overdueMs`, moved earlier when the limit
 * shrinks, nothing for an attempt that ended, and a limit that is no number > 0 means none.
 */
describe('the stall watch', () => {
  it('asks for a decision once the oldest attempt runs past overdueMs', async () => {
    const { time, window, attempt, dues } = feedbackWindow({ overdueMs: () => 50 })
    attempt.start = 0
    window.watch()
    await time.advanceBy(49)
    expect(dues()).toBe(0)
    await time.advanceBy(1)
    expect(dues()).toBe(1)
  })

  it('moves the watch earlier when the controller shrinks its limit', async () => {
    const { time, window, attempt, dues } = feedbackWindow({ initialState: () => 100, overdueMs: (limit) => limit as number, decide: ({ target }) => ({ ...target, state: 20 }) })
    attempt.start = 0
    window.watch() // for t=100
    window.record(undefined, 'flush')
    window.adjust() // the limit is 20 now
    await time.advanceBy(20)
    expect(dues()).toBe(1)
  })

  it('asks nothing, and throws nothing, when the attempt ended before it was overdue', async () => {
    const { time, window, attempt, dues } = feedbackWindow({ overdueMs: () => 50 })
    attempt.start = 0
    window.watch()
    attempt.start = undefined
    await time.advanceBy(100)
    expect(dues()).toBe(0)
  })

  it.each([0, -5, NaN, Infinity])('keeps no watch when overdueMs gives %s', async (limit) => {
    const { time, window, attempt, dues, logger } = feedbackWindow({ overdueMs: () => limit })
    attempt.start = 0
    window.watch()
    await time.advanceBy(1000)
    expect(dues()).toBe(0)
    expect(logger.error).not.toHaveBeenCalled()
  })

  it('keeps no watch, and says so, when overdueMs throws', async () => {
    const { time, window, attempt, dues, logger } = feedbackWindow({ overdueMs: () => { throw new Error('broken') } })
    attempt.start = 0
    window.watch()
    await time.advanceBy(1000)
    expect(dues()).toBe(0)
    expect(logger.error).toHaveBeenCalledWith('loadbatch: controller probe overdueMs() threw; no stall watch', expect.any(Error))
  })

  it('does nothing for a controller without overdueMs', async () => {
    const { time, window, attempt, dues, logger } = feedbackWindow({})
    attempt.start = 0
    window.watch()
    await time.advanceBy(1000)
    expect(dues()).toBe(0)
    expect(logger.error).not.toHaveBeenCalled()
  })
})

describe('the attempt limit', () => {
  it.each([[40, 40], [0, undefined], [-1, undefined], [Infinity, undefined], [NaN, undefined]])('given %s, is %s', (limit, expected) => {
    const { window } = feedbackWindow({ attemptTimeoutMs: () => limit })
    expect(window.attemptLimitMs(3, 0)).toBe(expected)
  })
})
