import { afterEach, describe, expect, it, vi } from 'vitest'
import { createBatcher, createVirtualTime, PartialBatchError, type Controller, type ErrorKind } from '../../src/index.ts'
import type { FeedbackSample } from '../../src/controllers/controller.ts'
import { createBatcherLogic } from '../../src/batcher/createBatcher.ts'
import { newFlight, oldestAttemptStart } from '../../src/batcher/flight.ts'
import { createActor } from 'xstate'
import { manualSink } from '../support/sink.ts'

/**
 * One batch across its attempts (src/batcher/flight.ts), as a producer and the controller see
 * it: submit promises follow their items through a split and a partial failure, a failed
 * attempt's sample says how much of it failed and why, and a broken jitter source never stops a
 * retry.
 */
const kindError = (kind: ErrorKind) => Object.assign(new Error(kind), { kind })
const outcome = (promise: Promise<void>) => promise.then(() => 'ok', (error: Error) => error.message)

describe('a batch across its attempts', () => {
  it('settles each submit with its own item outcome when a bad item splits its batch', async () => {
    const time = createVirtualTime()
    const batcher = createBatcher<number>({
      flush: (batch) => { if (batch.includes(2)) throw kindError('badItem') },
      size: 4, scheduler: time.scheduler, onDeadLetter: () => {},
    })
    const results = [0, 1, 2, 3].map((item) => outcome(batcher.submit(item)))
    await time.advanceBy(10)
    expect(await Promise.all(results)).toEqual(['ok', 'ok', 'badItem', 'ok'])
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 3, itemsFailed: 1, itemsInFlight: 0 })
  })

  it('resolves the submits of the items a partial failure flushed at once, and follows the failed ones to their retry', async () => {
    const time = createVirtualTime()
    let calls = 0
    const batcher = createBatcher<string>({
      flush: (batch) => {
        calls++
        if (calls === 1) throw new PartialBatchError([{ index: 1, cause: new Error('flaky') }, { index: 3, cause: new Error('bad') }])
        if (batch.includes('d')) throw new PartialBatchError([{ index: batch.indexOf('d'), cause: new Error('bad') }])
      },
      size: 4, scheduler: time.scheduler, retry: { attempts: 2, backoffMs: 10, jitter: false }, onDeadLetter: () => {},
    })
    const settled: string[] = []
    for (const item of ['a', 'b', 'c', 'd']) void batcher.submit(item).then(() => settled.push(`${item} ok`), () => settled.push(`${item} failed`))
    await time.settle()
    expect(settled.sort()).toEqual(['a ok', 'c ok'])
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 2, itemsInFlight: 2 })
    await time.advanceBy(10)
    expect(settled.sort()).toEqual(['a ok', 'b ok', 'c ok', 'd failed'])
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 3, itemsFailed: 1, itemsInFlight: 0 })
  })

  it('tells the controller how much of a failed attempt failed, and why', async () => {
    const time = createVirtualTime()
    const seen: FeedbackSample[] = []
    const controller: Controller<null> = { name: 'watching', intervalMs: 1000, initialState: () => null, decide: ({ target, samples }) => { seen.push(...samples); return { ...target, state: null } } }
    const batcher = createBatcher<number>({
      flush: () => { throw new PartialBatchError([{ index: 0, cause: kindError('fatal') }]) },
      size: { initial: 4, min: 1, max: 10 }, scheduler: time.scheduler, controller, retry: { attempts: 1 }, onDeadLetter: () => {},
      classify: () => 'fatal',
    })
    batcher.addMany([1, 2, 3, 4])
    await time.advanceBy(1000)
    expect(seen).toEqual([expect.objectContaining({ source: 'flush', failed: true, batchSize: 4, feedback: { errorRate: 0.25, latencyMs: 0 }, errorKind: 'fatal', attempt: 1, backlog: 0 })])
  })

  it('retries on time when the jitter source throws or leaves [0, 1)', async () => {
    for (const random of [() => { throw new Error('no randomness') }, () => 1, () => -0.5, () => NaN]) {
      const at = await attemptTimes(random)
      expect(at).toHaveLength(2)
      expect(at[1]).toBeGreaterThanOrEqual(50)
      expect(at[1]).toBeLessThanOrEqual(100)
    }
  })

  it('uses the jitter source it is given', async () => {
    expect(await attemptTimes(() => 0)).toEqual([0, 50])
  })
})

describe('the jitter source', () => {
  afterEach(() => void vi.restoreAllMocks())

  it('is replaced by Math.random when it gives 1, outside [0, 1)', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    expect(await attemptTimes(() => 1)).toEqual([0, 50])
  })
})

describe('a failed attempt', () => {
  it('dead-letters a lone item the sink refuses as too large at once, without retries', async () => {
    const time = createVirtualTime()
    const batches: number[][] = []
    const dead: number[][] = []
    const batcher = createBatcher<number>({
      flush: (batch) => { batches.push(batch); throw kindError('tooLarge') },
      size: 1, scheduler: time.scheduler, retry: { attempts: 3, backoffMs: 10 }, onDeadLetter: (items) => void dead.push(items),
    })
    batcher.tryAdd(1)
    await time.advanceBy(1000)
    expect([batches, dead]).toEqual([[[1]], [[1]]])
  })

  it('of a whole batch warns of no PartialBatchError', async () => {
    const time = createVirtualTime()
    const warn = vi.fn()
    const batcher = createBatcher<number>({
      flush: () => { throw new Error('down') }, size: 2, scheduler: time.scheduler, retry: { attempts: 1 }, onDeadLetter: () => {},
      logger: { debug: () => {}, info: () => {}, warn, error: () => {} },
    })
    batcher.addMany([1, 2])
    await time.settle()
    expect(warn).not.toHaveBeenCalled()
  })

  it('that is the last is dead-lettered, not offered as leftovers to take over', async () => {
    const time = createVirtualTime()
    const taken: number[][] = []
    const dead: number[][] = []
    const { logic, portOf, input } = createBatcherLogic<number>(
      { flush: () => { throw new Error('down') }, size: 2, scheduler: time.scheduler, retry: { attempts: 1 }, onDeadLetter: (items) => void dead.push(items) },
      (items) => (taken.push(items), true),
    )
    const actor = createActor(logic, { input }).start()
    portOf(actor)!.addMany([1, 2])
    await time.settle()
    expect([taken, dead]).toEqual([[], [[1, 2]]])
  })
})

describe('an attempt\'s time limit', () => {
  it('is flushTimeoutMs when the controller\'s stall limit is no shorter: a timeout then uses up the attempt', async () => {
    const time = createVirtualTime()
    const calls: number[] = []
    const dead: unknown[] = []
    const controller: Controller<null> = { name: 'stalls', intervalMs: 1000, initialState: () => null, decide: ({ target }) => ({ ...target, state: null }), attemptTimeoutMs: () => 100 }
    const batcher = createBatcher<number>({
      flush: () => { calls.push(time.now()); return new Promise<void>(() => {}) },
      size: { initial: 1, min: 1, max: 10 }, flushTimeoutMs: 100, controller, scheduler: time.scheduler, retry: { attempts: 1 },
      onDeadLetter: (_items, error) => void dead.push(error),
    })
    batcher.tryAdd(1)
    await time.advanceBy(500)
    expect(calls).toEqual([0])
    expect(dead).toEqual([expect.objectContaining({ name: 'FlushTimeoutError', limit: 'flushTimeoutMs' })])
  })
})

describe('a batch split by a bad item', () => {
  it('keeps its id in its first half, gives the second a new one, keeps the target and ends with nothing in flight', async () => {
    const time = createVirtualTime()
    const ids: [number[], number][] = []
    const batcher = createBatcher<number>({
      flush: (batch, info) => { ids.push([batch, info.batchId]); if (batch.includes(2)) throw kindError('badItem') },
      size: { initial: 4, min: 1, max: 10 }, scheduler: time.scheduler, onDeadLetter: () => {},
    })
    batcher.addMany([0, 1, 2, 3])
    await time.advanceBy(10)
    expect(ids).toEqual([[[0, 1, 2, 3], 1], [[0, 1], 1], [[2, 3], 2], [[2], 2], [[3], 3]])
    expect(batcher.metrics()).toMatchObject({ batchSize: 4, itemsInFlight: 0, itemsFlushed: 3, itemsFailed: 1 })
    expect(batcher.state).toBe('collecting')
  })
})

describe('the halves of a split batch', () => {
  it('count as two batches in flight while both run, the second announced with its own id', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const started: number[] = []
    const batcher = createBatcher<number>({
      flush: sink.flush, size: 4, concurrency: 4, scheduler: time.scheduler, onDeadLetter: () => {},
      inspect: (inspection) => { if (inspection.type === '@xstate.event' && inspection.event.type === 'BATCH_STARTED') started.push(inspection.event.batchId) },
    })
    batcher.addMany([0, 1, 2, 3])
    await time.settle()
    sink.pending()[0]!.reject(kindError('badItem'))
    await time.settle()
    expect(sink.pending().map((call) => call.batch)).toEqual([[0, 1], [2, 3]])
    expect(batcher.actor.getSnapshot().context.inFlight).toBe(2)
    expect(started).toEqual([1, 2])
    sink.resolveAll()
    await batcher.stop()
  })

  it('report the items an earlier partial failure flushed once, with the first half', async () => {
    const time = createVirtualTime()
    const flushed: unknown[] = []
    let calls = 0
    const batcher = createBatcher<string>({
      flush: (batch) => {
        calls++
        if (calls === 1) throw new PartialBatchError([{ index: 1, cause: new Error('b') }, { index: 2, cause: new Error('c') }])
        if (batch.includes('c')) throw new Error('c')
      },
      size: 4, scheduler: time.scheduler, classify: () => 'badItem', onDeadLetter: () => {},
    })
    batcher.actor.on('batch.flushed', (event) => void flushed.push(event))
    batcher.addMany(['a', 'b', 'c', 'd'])
    await time.advanceBy(10)
    expect(flushed).toEqual([{ type: 'batch.flushed', batchId: 1, items: ['a', 'd', 'b'] }])
  })
})

describe('the oldest running attempt', () => {
  const flight = (attemptStart: number | undefined) => Object.assign(newFlight(0, [1], undefined, 0, 'size', 1), { attemptStart })

  it('is the earliest start among running attempts, whatever their order', () => {
    expect(oldestAttemptStart([flight(undefined), flight(30), flight(10), flight(undefined), flight(20)])).toBe(10)
    expect(oldestAttemptStart([flight(10), flight(30)])).toBe(10)
  })

  it('is undefined when no attempt runs', () => {
    expect(oldestAttemptStart([flight(undefined), flight(undefined)])).toBeUndefined()
    expect(oldestAttemptStart([])).toBeUndefined()
  })
})

/** When the attempts of one item ran, its first failing, with full jitter from `random` on a 100 ms backoff. */
async function attemptTimes(random: () => number): Promise<number[]> {
  const time = createVirtualTime()
  const at: number[] = []
  const batcher = createBatcher<number>({
    size: 1, scheduler: time.scheduler, random, retry: { attempts: 2, backoffMs: 100, jitter: true },
    flush: (_batch, info) => {
      at.push(time.now())
      if (info.attempt === 1) throw new Error('x')
    },
  })
  batcher.tryAdd(1)
  await time.advanceBy(200)
  await batcher.stop()
  return at
}
