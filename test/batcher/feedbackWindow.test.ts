import { describe, expect, it } from 'vitest'
import { createBatcher, createVirtualTime, type Controller } from '../../src/index.ts'
import type { FeedbackSample } from '../../src/controllers/controller.ts'
import { manualSink } from '../../src/testing/index.ts'

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
