import { describe, expect, it } from 'vitest'
import { createBatcher, createVirtualTime, PartialBatchError, type Controller, type ErrorKind } from '../../src/index.ts'
import type { FeedbackSample } from '../../src/controllers/controller.ts'

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
      expect(at).toHaveLength(2)
      expect(at[1]).toBeGreaterThanOrEqual(50)
      expect(at[1]).toBeLessThanOrEqual(100)
      await batcher.stop()
    }
  })

  it('uses the jitter source it is given', async () => {
    const time = createVirtualTime()
    const at: number[] = []
    const batcher = createBatcher<number>({
      size: 1, scheduler: time.scheduler, random: () => 0, retry: { attempts: 2, backoffMs: 100, jitter: true },
      flush: (_batch, info) => {
        at.push(time.now())
        if (info.attempt === 1) throw new Error('x')
      },
    })
    batcher.tryAdd(1)
    await time.advanceBy(200)
    expect(at).toEqual([0, 50])
    await batcher.stop()
  })
})
