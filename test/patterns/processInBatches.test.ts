import { describe, expect, it } from 'vitest'
import { AbortError, ConfigError, createVirtualTime, PartialBatchError } from '../../src/index.ts'
import { PartialResultsError } from '../../src/patterns/partialResults.ts'
import { processInBatches } from '../../src/patterns/processInBatches.ts'
import type { ProgressSnapshot } from '../../src/patterns/progress.ts'
import { settleWithin, sleep } from './timing.ts'

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

describe('processInBatches', () => {
  it('resolves with a result per input position, in input order, though batches finish out of order', async () => {
    const time = createVirtualTime()
    const finished: number[] = []
    const run = processInBatches(
      range(10),
      async (batch) => {
        await sleep(time, batch[0] === 0 ? 300 : 10) // the first batch is the slowest
        finished.push(batch[0]!)
        return batch.map((n) => n * 10)
      },
      { batchSize: 3, concurrency: 4, scheduler: time.scheduler },
    )
    const outcome = await settleWithin(time, run)
    expect(finished[finished.length - 1]).toBe(0)
    expect(outcome.results).toEqual(range(10).map((n) => n * 10))
    expect(outcome).toMatchObject({ count: 10, ok: true, aborted: false, failures: [] })
    expect(outcome.metrics).toMatchObject({ itemsFlushed: 10, flushCount: 4, state: 'stopped' })
  })

  it('keeps the other batches when one batch fails, and names each failed index with its cause', async () => {
    const time = createVirtualTime()
    const boom = new Error('batch 2 failed')
    const outcome = await settleWithin(
      time,
      processInBatches(range(9), (batch) => {
        if (batch.includes(4)) throw boom
        return batch.map(String)
      }, { batchSize: 3, scheduler: time.scheduler }),
    )
    expect(outcome.results).toEqual(['0', '1', '2', undefined, undefined, undefined, '6', '7', '8'])
    expect(outcome.failures).toEqual([3, 4, 5].map((index) => ({ index, item: index, cause: boom })))
    expect(outcome.ok).toBe(false)
  })

  it('reports a partial failure per item and keeps the results of the items that succeeded', async () => {
    const time = createVirtualTime()
    const outcome = await settleWithin(
      time,
      processInBatches(range(4), (batch) => {
        const failures = batch.flatMap((n, index) => (n % 2 === 1 ? [{ index, cause: new Error(`odd ${n}`) }] : []))
        if (failures.length > 0) throw new PartialResultsError(batch.map((n) => n * 2), failures)
        return batch.map((n) => n * 2)
      }, { batchSize: 4, scheduler: time.scheduler }),
    )
    expect(outcome.results).toEqual([0, undefined, 4, undefined])
    expect(outcome.failures.map((f) => [f.index, (f.cause as Error).message])).toEqual([[1, 'odd 1'], [3, 'odd 3']])
  })

  it('retries only the failed items of a partial failure when retry is set', async () => {
    const time = createVirtualTime()
    const calls: number[][] = []
    const outcome = await settleWithin(
      time,
      processInBatches(range(4), (batch, info) => {
        calls.push(batch)
        if (info.attempt === 1) throw new PartialResultsError(batch.map((n) => n + 100), [{ index: 1, cause: 'flaky' }])
        return batch.map((n) => n + 100)
      }, { batchSize: 4, retry: { attempts: 2, backoffMs: 50, jitter: false }, scheduler: time.scheduler }),
    )
    expect(calls).toEqual([[0, 1, 2, 3], [1]])
    expect(outcome.results).toEqual([100, 101, 102, 103])
    expect(outcome.ok).toBe(true)
  })

  it('stops retrying a persistent error and goes on with the next batches, even with an adaptive size (regression: the guide\'s loop spun for ever)', async () => {
    const time = createVirtualTime()
    let calls = 0
    const outcome = await settleWithin(
      time,
      processInBatches(range(50), async () => {
        calls++
        await sleep(time, 5)
        throw new Error('database is down')
      }, { size: { initial: 10, min: 1, max: 10 }, targetLatencyMs: 100, retry: { attempts: 3, backoffMs: 10 }, scheduler: time.scheduler, random: () => 0.5 }),
    )
    expect(outcome.failures).toHaveLength(50)
    expect(outcome.results.every((r) => r === undefined)).toBe(true)
    expect(calls).toBeLessThanOrEqual(50 * 3)
  })

  it('turns a wrong number of results into a failure of that batch, not a silent misalignment', async () => {
    const time = createVirtualTime()
    const outcome = await settleWithin(time, processInBatches(range(3), (batch) => batch.slice(1), { batchSize: 3, scheduler: time.scheduler }))
    expect(outcome.failures).toHaveLength(3)
    expect(outcome.failures[0]!.cause).toBeInstanceOf(TypeError)
    expect(String((outcome.failures[0]!.cause as Error).message)).toContain('returned 2 results for 3 items')
  })

  it('accepts a batch function that returns nothing', async () => {
    const seen: number[] = []
    const outcome = await processInBatches(new Set([1, 2, 3]), (batch) => void seen.push(...batch), { batchSize: 2 })
    expect(seen).toEqual([1, 2, 3])
    expect(outcome).toMatchObject({ results: [undefined, undefined, undefined], count: 3, ok: true })
  })

  it('pulls an async source lazily: never more read ahead than the capacity', async () => {
    const time = createVirtualTime()
    let read = 0
    let processed = 0
    let maxAhead = 0
    async function* lines() {
      for (let i = 0; i < 1000; i++) {
        read++
        maxAhead = Math.max(maxAhead, read - processed)
        yield i
      }
    }
    const outcome = await settleWithin(
      time,
      processInBatches(lines(), async (batch) => {
        await sleep(time, 1)
        processed += batch.length
      }, { batchSize: 10, concurrency: 2, scheduler: time.scheduler }),
      100_000,
    )
    expect(outcome.count).toBe(1000)
    expect(maxAhead).toBeLessThanOrEqual(10 * 3 + 1) // capacity (size × (concurrency + 1)) plus the item waiting for room
  })

  it('reports progress without NaN, from before the first item to the end (regression: the guide divided by zero)', async () => {
    const time = createVirtualTime()
    const snapshots: ProgressSnapshot[] = []
    await settleWithin(
      time,
      processInBatches(range(6), async (batch) => {
        await sleep(time, 100)
        return batch
      }, { batchSize: 2, scheduler: time.scheduler, onProgress: (p) => snapshots.push(p) }),
    )
    expect(snapshots.map((p) => p.done)).toEqual([2, 4, 6])
    for (const p of snapshots) for (const value of Object.values(p)) expect(Number.isNaN(value)).toBe(false)
    expect(snapshots[2]).toMatchObject({ fraction: 1, etaMs: 0, total: 6 })
    expect(snapshots[0]!.ratePerSecond).toBeCloseTo(20)
  })

  it('keeps going when onProgress throws', async () => {
    const outcome = await processInBatches(range(4), (b) => b, { batchSize: 2, onProgress: () => { throw new Error('bad bar') } })
    expect(outcome.ok).toBe(true)
  })

  it('resolves with aborted: true on abort: running batches see their signal abort, unfinished items are failures, the rest stays unread', async () => {
    const time = createVirtualTime()
    const controller = new AbortController()
    let closed = false
    let read = 0
    async function* endless() {
      try {
        for (let i = 0; ; i++) {
          read++
          yield i
        }
      } finally {
        closed = true
      }
    }
    const signals: AbortSignal[] = []
    const run = processInBatches(endless(), (batch, info) => {
      signals.push(info.signal)
      return new Promise<number[]>(() => {}) // hangs until aborted
    }, { batchSize: 5, concurrency: 2, signal: controller.signal, scheduler: time.scheduler })
    await time.advanceBy(10)
    controller.abort(new Error('user cancelled'))
    const outcome = await settleWithin(time, run)
    expect(outcome.aborted).toBe(true)
    expect(closed).toBe(true)
    expect(signals.length).toBeGreaterThan(0)
    expect(signals.every((s) => s.aborted)).toBe(true)
    expect(outcome.failures).toHaveLength(outcome.count)
    expect(outcome.failures.every((f) => f.cause instanceof AbortError)).toBe(true)
    expect(read).toBeLessThan(100)
  })

  it('abandons a source whose next() hangs when aborted', async () => {
    const controller = new AbortController()
    const hung: AsyncIterable<number> = { [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => {}) }) }
    const run = processInBatches(hung, (b) => b, { signal: controller.signal })
    controller.abort()
    await expect(run).resolves.toMatchObject({ aborted: true, count: 0 })
  })

  it('rejects with the source\'s error once every item already read has settled', async () => {
    const seen: number[] = []
    function* broken() {
      yield 1
      yield 2
      throw new Error('disk read failed')
    }
    await expect(processInBatches(broken(), (b) => void seen.push(...b), { batchSize: 10 })).rejects.toThrow('disk read failed')
    expect(seen).toEqual([1, 2])
  })

  it('holds back items while the memory budget is spent, and lets an item heavier than the budget through alone', async () => {
    const time = createVirtualTime()
    let inFlight = 0
    let peak = 0
    const weights = [30, 30, 30, 150, 30, 30]
    const outcome = await settleWithin(
      time,
      processInBatches(weights, async (batch) => {
        const weight = batch.reduce((a, b) => a + b, 0)
        inFlight += weight
        peak = Math.max(peak, inFlight)
        await sleep(time, 20)
        inFlight -= weight
        return batch
      }, { batchSize: 2, concurrency: 4, maxInFlightBytes: 100, weigh: (w) => w, scheduler: time.scheduler }),
    )
    expect(outcome.results).toEqual(weights)
    expect(peak).toBe(150) // the heavy item alone; otherwise never over 100
  })

  it('shrinks the batch size when batches are slower than targetLatencyMs and grows it when they are fast', async () => {
    const time = createVirtualTime()
    const sizes: number[] = []
    await settleWithin(
      time,
      processInBatches(range(2000), async (batch) => {
        sizes.push(batch.length)
        await sleep(time, batch.length * 10) // 10 ms per item: 100 ms target means 10 items
      }, { size: { initial: 64, min: 1, max: 64 }, targetLatencyMs: 100, scheduler: time.scheduler }),
      1_000_000,
      100,
    )
    expect(sizes[0]).toBe(64)
    expect(Math.min(...sizes.slice(0, -1))).toBeLessThanOrEqual(12)
    const late = sizes.slice(-20, -1)
    expect(Math.max(...late)).toBeLessThanOrEqual(20)
  })

  it('rejects bad options with a ConfigError naming the field', () => {
    expect(() => processInBatches([1], (b) => b, { batchSize: 0 })).toThrow(ConfigError)
    expect(() => processInBatches([1], (b) => b, { batchSize: 0 })).toThrow('`batchSize`')
    expect(() => processInBatches([1], (b) => b, { batchSize: 2, size: 3 })).toThrow('`batchSize`')
    expect(() => processInBatches([1], (b) => b, { maxInFlightBytes: 10 })).toThrow('`weigh`')
    expect(() => processInBatches([1], (b) => b, { maxInFlightBytes: 0, weigh: () => 1 })).toThrow('`maxInFlightBytes`')
    expect(() => processInBatches(42 as never, (b) => b)).toThrow('`source`')
    expect(() => processInBatches([1], 'nope' as never)).toThrow('`fn`')
  })

  it('a PartialBatchError with an index outside the batch fails the whole batch', async () => {
    const outcome = await processInBatches([1, 2], () => {
      throw new PartialBatchError([{ index: 7, cause: 'x' }])
    }, { batchSize: 2 })
    expect(outcome.failures.map((f) => f.index)).toEqual([0, 1])
  })
})

describe('processInBatches with a hostile weigh', () => {
  it('reports an item whose weight throws or is not a finite number >= 0 as that item\'s failure, and processes the rest', async () => {
    const outcome = await processInBatches(['a', 'bb', 'boom', 'ccc', 'nan'], (batch) => batch.map((s) => s.length), {
      batchSize: 2, maxInFlightBytes: 100,
      weigh: (s) => {
        if (s === 'boom') throw new Error('cannot weigh')
        return s === 'nan' ? Number.NaN : s.length
      },
    })
    expect(outcome.results).toEqual([1, 2, undefined, 3, undefined])
    expect(outcome.failures.map((f) => [f.index, (f.cause as Error).name])).toEqual([[2, 'InvalidWeightError'], [4, 'InvalidWeightError']])
  })
})

describe('processInBatches aborted while reading waits for room', () => {
  it('reports the item that was read but never accepted as an AbortError failure', async () => {
    const time = createVirtualTime()
    const controller = new AbortController()
    const run = processInBatches(range(100), () => new Promise<number[]>(() => {}), { batchSize: 2, capacity: 2, signal: controller.signal, scheduler: time.scheduler })
    await time.advanceBy(5) // batch [0, 1] hangs and fills the capacity; item 2 waits for room
    controller.abort('enough')
    const outcome = await settleWithin(time, run)
    expect(outcome.count).toBe(3)
    expect(outcome.failures.map((f) => f.index)).toEqual([0, 1, 2])
    expect(outcome.failures.every((f) => f.cause instanceof AbortError)).toBe(true)
  })
})
