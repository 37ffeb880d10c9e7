/**
 * Issue 10 items 2, 3, 4 and 7: user code that throws (a controller's score, a logger, feedback
 * with a throwing getter, weigh, a broken thenable) never escapes as an exception or an
 * unhandled rejection, never wedges a batch, and never errors the actor.
 */
import { Subject } from 'rxjs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBatcher, createVirtualTime, PartialBatchError } from '../../src/index.ts'
import type { Controller } from '../../src/controllers/controller.ts'
import type { LoadFeedback } from '../../src/feedback.ts'
import type { Logger } from '../../src/logger.ts'

const throwingLogger: Logger = {
  debug: () => { throw new Error('debug broke') },
  info: () => { throw new Error('info broke') },
  warn: () => { throw new Error('warn broke') },
  error: () => { throw new Error('error broke') },
}

const throwingGetter = (): LoadFeedback => ({ get cpu(): number { throw new Error('getter broke') } })

/** Records unhandled rejections during a test (vitest would also fail the run on them). */
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => void unhandled.push(reason)
beforeEach(() => {
  unhandled.length = 0
  process.on('unhandledRejection', onUnhandled)
})
afterEach(async () => {
  await new Promise((resolve) => setTimeout(resolve, 0))
  process.off('unhandledRejection', onUnhandled)
  expect(unhandled).toEqual([])
})

describe('item 2: a controller score that throws, or flush feedback with a throwing getter', () => {
  const throwingScore: Controller<null> = {
    name: 'throwingScore', intervalMs: 100, initialState: () => null,
    decide: ({ target }) => ({ ...target, state: null }),
    score: () => { throw new Error('score broke') },
  }

  it('settles the batch and stop() settles when score() throws on flush feedback', async () => {
    const time = createVirtualTime()
    const batcher = createBatcher<number>({ flush: async () => ({ cpu: 0.5 }), size: { initial: 2, min: 1, max: 4 }, controller: throwingScore, scheduler: time.scheduler })
    batcher.addMany([1, 2])
    await time.advanceBy(1)
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 2, itemsInFlight: 0, state: 'collecting' })
    await time.advanceBy(100) // the adjust tick runs on the fallback score
    await batcher.stop()
    expect(batcher.state).toBe('stopped')
  })

  it('scores with scoreLoad() when score() throws on a FEEDBACK event, and stays active', async () => {
    const time = createVirtualTime()
    const batcher = createBatcher<number>({ flush: async () => {}, size: { initial: 2, min: 1, max: 4 }, controller: throwingScore, scheduler: time.scheduler })
    batcher.actor.send({ type: 'FEEDBACK', feedback: { cpu: 1 } })
    expect(batcher.actor.getSnapshot().status).toBe('active')
    expect(batcher.metrics().loadScore).toBeCloseTo(0.4)
    expect(batcher.tryAdd(1)).toBe(true)
    await batcher.stop()
  })

  it('counts flush feedback with a throwing getter as rejected and settles the batch', async () => {
    const time = createVirtualTime()
    const batcher = createBatcher<number>({ flush: async () => throwingGetter(), size: { initial: 2, min: 1, max: 4 }, scheduler: time.scheduler })
    batcher.addMany([1, 2])
    await time.advanceBy(1)
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 2, itemsInFlight: 0, feedbackRejected: 1 })
    await batcher.stop()
  })
})

describe('item 3: a logger that throws', () => {
  it('tryAdd on a full batcher returns false', () => {
    const time = createVirtualTime()
    const batcher = createBatcher<number>({ flush: () => new Promise(() => {}), size: 1, capacity: 1, logger: throwingLogger, scheduler: time.scheduler })
    expect(batcher.tryAdd(1)).toBe(true)
    expect(batcher.tryAdd(2)).toBe(false)
    expect(batcher.metrics().itemsDropped).toBe(1)
  })

  it('stop({ timeoutMs }) without onDeadLetter dead-letters what is left and resolves', async () => {
    const time = createVirtualTime()
    const batcher = createBatcher<number>({ flush: () => new Promise(() => {}), size: 1, logger: throwingLogger, scheduler: time.scheduler })
    batcher.addMany([1, 2])
    const stopped = batcher.stop({ timeoutMs: 50 })
    await time.advanceBy(50)
    await stopped
    expect(batcher.metrics()).toMatchObject({ itemsFailed: 2, state: 'stopped' })
  })

  it('a PartialBatchError with an index outside the batch retries the whole batch instead of wedging it', async () => {
    const time = createVirtualTime()
    const written: number[][] = []
    const batcher = createBatcher<number>({
      size: 2, logger: throwingLogger, scheduler: time.scheduler, retry: { attempts: 2, backoffMs: 10, jitter: false },
      flush: (batch, info) => {
        if (info.attempt === 1) throw new PartialBatchError([{ index: 7, cause: 'no such item' }])
        written.push(batch)
      },
    })
    batcher.addMany([1, 2])
    await time.advanceBy(10)
    expect(written).toEqual([[1, 2]])
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 2, itemsInFlight: 0, state: 'collecting' })
    await batcher.stop()
  })

  it('dead-lettering without onDeadLetter brings the chart back to collecting', async () => {
    const time = createVirtualTime()
    const batcher = createBatcher<number>({ flush: () => { throw new Error('down') }, size: 1, retry: { attempts: 1 }, logger: throwingLogger, scheduler: time.scheduler })
    batcher.tryAdd(1)
    await time.settle()
    expect(batcher.metrics()).toMatchObject({ itemsFailed: 1, state: 'collecting' })
    expect(batcher.actor.getSnapshot().context.inFlight).toBe(0)
    await batcher.stop()
  })
})

describe('item 4: feedback with a throwing getter', () => {
  it('a FEEDBACK event is counted as rejected; the actor stays active and keeps its items', async () => {
    const time = createVirtualTime()
    const written: number[][] = []
    const batcher = createBatcher<number>({ flush: (batch) => void written.push(batch), size: 3, scheduler: time.scheduler })
    batcher.addMany([1, 2])
    batcher.actor.send({ type: 'FEEDBACK', feedback: throwingGetter() })
    expect(batcher.actor.getSnapshot().status).toBe('active')
    expect(batcher.tryAdd(3)).toBe(true)
    expect(written).toEqual([[1, 2, 3]])
    expect(batcher.metrics()).toMatchObject({ feedbackRejected: 1, itemsFailed: 0, state: 'collecting' })
    await batcher.stop()
  })

  it('a feedback$ value is counted as rejected; the actor stays active', async () => {
    const time = createVirtualTime()
    const feedback$ = new Subject<LoadFeedback>()
    const batcher = createBatcher<number>({ flush: async () => {}, size: { initial: 3, min: 1, max: 5 }, feedback$, scheduler: time.scheduler })
    batcher.tryAdd(1)
    feedback$.next(throwingGetter())
    expect(batcher.actor.getSnapshot().status).toBe('active')
    expect(batcher.metrics()).toMatchObject({ feedbackRejected: 1, itemsBuffered: 1 })
    await batcher.stop()
    expect(batcher.metrics().itemsFlushed).toBe(1)
  })
})

describe('item 7: tryAdd never throws', () => {
  it('returns false (and accepts nothing) when weigh() throws', () => {
    const time = createVirtualTime()
    const batcher = createBatcher<number>({
      flush: async () => {}, size: 10, maxBatchWeight: 100, scheduler: time.scheduler,
      weigh: (item) => { if (item === 2) throw new Error('cannot weigh'); return 1 },
    })
    expect(batcher.tryAdd(1)).toBe(true)
    expect(batcher.tryAdd(2)).toBe(false)
    expect(batcher.metrics()).toMatchObject({ itemsAdded: 1, itemsDropped: 1, itemsBuffered: 1 })
  })

  it('returns true when the flush it triggers returns a broken thenable; the attempt fails and is retried', async () => {
    const time = createVirtualTime()
    const written: number[][] = []
    const batcher = createBatcher<number>({
      size: 1, scheduler: time.scheduler, retry: { attempts: 2, backoffMs: 10, jitter: false },
      flush: (batch, info) => {
        if (info.attempt === 1) return { then: () => { throw new Error('broken thenable') } } as unknown as Promise<void>
        written.push(batch)
      },
    })
    expect(batcher.tryAdd(1)).toBe(true)
    await time.advanceBy(10)
    expect(written).toEqual([[1]])
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 1, failedFlushes: 1 })
    await batcher.stop()
  })
})
