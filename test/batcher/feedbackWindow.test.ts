import { describe, expect, it } from 'vitest'
import { createBatcher, createVirtualTime, type Controller } from '../../src/index.ts'
import type { FeedbackSample } from '../../src/controllers/controller.ts'
import { manualSink } from '../../src/testing/index.ts'
import { feedbackWindow } from '../support/feedbackWindow.ts'

/**
 * The samples a controller is shown (src/batcher/feedbackWindow.ts): the latest ten, oldest
 * first, numbered; a monitor sample as sent; a flush sample with its batch, its latency and the
 * facts of its attempt; and the load score as their mean.
 */
function watching() {
  const seen: (readonly FeedbackSample[])[] = []
  const controller: Controller<null> = {
    name: 'watching', intervalMs: 10, initialState: () => null,
    decide: ({ target, samples }) => {
      seen.push(samples)
      return { ...target, state: null }
    },
  }
  return { seen, controller }
}

describe('the feedback window', () => {
  it('shows the controller the latest ten samples, oldest first, each numbered', async () => {
    const time = createVirtualTime()
    const { seen, controller } = watching()
    const batcher = createBatcher<number>({ flush: async () => {}, size: { initial: 2, min: 1, max: 10 }, scheduler: time.scheduler, controller })
    for (let i = 1; i <= 12; i++) batcher.actor.send({ type: 'FEEDBACK', feedback: { cpu: i / 100 } })
    await time.advanceBy(10)
    expect(seen).toHaveLength(1)
    expect(seen[0]!.map((sample) => [sample.seq, sample.feedback.cpu])).toEqual(Array.from({ length: 10 }, (_, i) => [i + 3, (i + 3) / 100]))
    expect(seen[0]![0]).toMatchObject({ at: 0, source: 'monitor', failed: false, batchSize: 0 })
    expect(seen[0]![0]).not.toHaveProperty('attempt')
    expect(batcher.metrics().loadScore).toBeCloseTo(seen[0]!.reduce((sum, sample) => sum + sample.score, 0) / 10, 10)
  })

  it('records a flush with its batch, its own latency and the facts of its attempt', async () => {
    const time = createVirtualTime()
    const { seen, controller } = watching()
    const sink = manualSink<number>()
    const batcher = createBatcher<number>({ flush: sink.flush, size: { initial: 2, min: 1, max: 10 }, maxWaitMs: 1e9, scheduler: time.scheduler, controller })
    batcher.addMany([1, 2, 3])
    await time.advanceBy(4)
    sink.pending()[0]!.resolve({ cpu: 0.5 })
    await time.advanceBy(10)
    expect(seen.at(-1)).toEqual([
      expect.objectContaining({ at: 4, feedback: { cpu: 0.5, latencyMs: 4 }, source: 'flush', failed: false, batchSize: 2, seq: 1, durationMs: 4, inFlight: 1, trigger: 'size', attempt: 1, backlog: 1 }),
    ])
  })

  it('keeps a latency the flush reported itself', async () => {
    const time = createVirtualTime()
    const { seen, controller } = watching()
    const sink = manualSink<number>()
    const batcher = createBatcher<number>({ flush: sink.flush, size: { initial: 1, min: 1, max: 10 }, maxWaitMs: 1e9, scheduler: time.scheduler, controller })
    batcher.tryAdd(1)
    await time.advanceBy(4)
    sink.pending()[0]!.resolve({ latencyMs: 99 })
    await time.advanceBy(10)
    expect(seen.at(-1)![0]!.feedback).toEqual({ latencyMs: 99 })
  })

  it('does not run a controller whose target cannot move (fixed size and concurrency)', async () => {
    const time = createVirtualTime()
    const { seen, controller } = watching()
    const batcher = createBatcher<number>({ flush: async () => {}, size: 5, scheduler: time.scheduler, controller })
    batcher.actor.send({ type: 'FEEDBACK', feedback: { cpu: 0.5 } })
    await time.advanceBy(100)
    expect(seen).toEqual([])
  })

  it('runs it while draining, and no more once stopped', async () => {
    const time = createVirtualTime()
    const { seen, controller } = watching()
    const sink = manualSink<number>()
    const batcher = createBatcher<number>({ flush: sink.flush, size: { initial: 2, min: 1, max: 10 }, maxWaitMs: 1e9, scheduler: time.scheduler, controller })
    batcher.addMany([1, 2])
    const stopped = batcher.stop()
    batcher.actor.send({ type: 'FEEDBACK', feedback: { cpu: 0.5 } })
    await time.advanceBy(10)
    expect(seen).toHaveLength(1)
    sink.pending()[0]!.resolve()
    await stopped
    await time.advanceBy(100)
    expect(seen).toHaveLength(1)
  })
})

describe('the controller\'s cadence', () => {
  it('asks for a decision an interval after fresh feedback, and not again without new feedback', async () => {
    const { time, window, dues } = feedbackWindow({})
    window.record({ cpu: 0.5 }, 'monitor')
    window.record({ cpu: 0.6 }, 'monitor') // one timer for both
    await time.advanceBy(10)
    expect(dues()).toBe(1)
    window.adjust() // what the runtime does on the TICK due sends
    await time.advanceBy(100)
    expect(dues()).toBe(1)
  })

  it('does not ask when a decision already took the feedback in before the interval ended', async () => {
    const { time, window, dues } = feedbackWindow({})
    window.record({ cpu: 0.5 }, 'monitor')
    await time.advanceBy(5)
    window.adjust() // an outside TICK
    await time.advanceBy(5)
    expect(dues()).toBe(0)
  })

  it('does not run the controller before any feedback', () => {
    const { window, decide } = feedbackWindow({})
    expect(window.adjust()).toBeUndefined()
    expect(decide).not.toHaveBeenCalled()
  })

  it('adapts a batcher whose concurrency alone can move', async () => {
    const { time, window, dues } = feedbackWindow({}, { size: 4, concurrency: { min: 1, max: 4 } })
    window.record({ cpu: 0.5 }, 'monitor')
    await time.advanceBy(10)
    expect(dues()).toBe(1)
  })

  it('asks nothing once stopped, and leaves no timer behind', async () => {
    const { time, window, attempt, dues } = feedbackWindow({ overdueMs: () => 50 })
    attempt.start = 0
    window.record({ cpu: 0.5 }, 'monitor')
    window.watch()
    window.stop()
    expect(time.scheduler.actions.filter((action) => !action.closed)).toHaveLength(0)
    window.record({ cpu: 0.5 }, 'monitor')
    await time.advanceBy(100)
    expect(dues()).toBe(0)
  })

  it('shows the controller a copy of the samples: the next ones do not change what it kept', () => {
    const kept: unknown[][] = []
    const { window } = feedbackWindow({ decide: ({ target, samples }) => (kept.push(samples as unknown[]), { ...target, state: null }) })
    window.record({ cpu: 0.1 }, 'monitor')
    window.adjust()
    window.record({ cpu: 0.2 }, 'monitor')
    window.adjust()
    expect(kept.map((samples) => samples.length)).toEqual([1, 2])
  })

  it('reports no change when the controller keeps the target', () => {
    const { window, logger } = feedbackWindow({ decide: ({ target }) => ({ ...target, state: null, reason: { code: 'hold', text: 'same' } as never }) })
    window.record({ cpu: 0.1 }, 'monitor')
    expect(window.adjust()).toBeUndefined()
    expect(logger.debug).not.toHaveBeenCalled()
  })
})

describe('a sample', () => {
  it('of a flush that returned nothing carries its latency alone; a monitor\'s carries no latency it did not send', () => {
    const seen: { feedback: object }[] = []
    const { window } = feedbackWindow({ decide: ({ target, samples }) => (seen.push(...samples), { ...target, state: null }) })
    window.record(undefined, 'flush', false, 2, 7)
    window.record({ cpu: 0.5 }, 'monitor')
    window.adjust()
    expect(seen.map((sample) => sample.feedback)).toStrictEqual([{ latencyMs: 7 }, { cpu: 0.5 }])
  })

  it('from a monitor that sent nothing counts as rejected', () => {
    const { window } = feedbackWindow({})
    window.record(undefined, 'monitor')
    expect(window.rejected).toBe(1)
  })

  it.each([0, 1])('keeps the controller\'s score %s (0..1 inclusive)', (score) => {
    const { window, logger } = feedbackWindow({ score: () => score })
    window.record({ cpu: 0.5 }, 'monitor')
    expect(window.loadScore()).toBe(score)
    expect(logger.error).not.toHaveBeenCalled()
  })

  it('replaces a negative score of the controller with scoreLoad, and says so', () => {
    const { window, logger } = feedbackWindow({ score: () => -0.5 })
    window.record({ cpu: 0.5 }, 'monitor')
    expect(window.loadScore()).toBeGreaterThanOrEqual(0)
    expect(logger.error).toHaveBeenCalledWith('loadbatch: controller probe score() gave -0.5, not a number in 0..1; using scoreLoad()')
  })
})
