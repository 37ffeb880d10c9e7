import { describe, expect, it } from 'vitest'
import { BatcherStoppedError, ConfigError, createVirtualTime, PartialBatchError } from '../../src/index.ts'
import { PartialResultsError } from '../../src/patterns/partialResults.ts'
import { workerPool } from '../../src/patterns/workerPool.ts'
import { settleWithin, sleep } from './timing.ts'

describe('workerPool', () => {
  it('runAll returns results in input order though workers finish out of order, with at most `workers` batches at once', async () => {
    const time = createVirtualTime()
    let running = 0
    let peak = 0
    const finished: number[] = []
    const pool = workerPool<number, number>({
      workers: 3, batchSize: 4, scheduler: time.scheduler,
      process: async (batch) => {
        running++
        peak = Math.max(peak, running)
        await sleep(time, 100 - batch[0]!) // later batches are faster
        running--
        finished.push(batch[0]!)
        return batch.map((n) => n * n)
      },
    })
    const outcome = await settleWithin(time, pool.runAll(Array.from({ length: 20 }, (_, i) => i)))
    expect(outcome.results).toEqual(Array.from({ length: 20 }, (_, i) => i * i))
    expect(peak).toBe(3)
    expect(finished).not.toEqual([...finished].sort((a, b) => a - b))
    await settleWithin(time, pool.stop())
  })

  it('run resolves each caller with its own result, batching callers together within maxWaitMs', async () => {
    const time = createVirtualTime()
    const batches: string[][] = []
    const pool = workerPool<string, number>({
      workers: 1, batchSize: 10, maxWaitMs: 50, scheduler: time.scheduler,
      process: (batch) => {
        batches.push(batch)
        return batch.map((s) => s.length)
      },
    })
    const a = pool.run('a')
    const bbb = pool.run('bbb')
    await time.advanceBy(49)
    expect(batches).toEqual([])
    await time.advanceBy(1)
    await expect(a).resolves.toBe(1)
    await expect(bbb).resolves.toBe(3)
    expect(batches).toEqual([['a', 'bbb']])
    await settleWithin(time, pool.stop())
  })

  it('rejects only the callers whose items failed, each with its own cause', async () => {
    const time = createVirtualTime()
    const pool = workerPool<number, number>({
      workers: 2, batchSize: 3, maxWaitMs: 1, scheduler: time.scheduler,
      process: (batch) => {
        const failures = batch.flatMap((n, index) => (n < 0 ? [{ index, cause: new RangeError(`negative ${n}`) }] : []))
        if (failures.length > 0) throw new PartialResultsError(batch, failures)
        return batch
      },
    })
    const outcome = await settleWithin(time, pool.runAll([1, -2, 3, -4]))
    expect(outcome.results).toEqual([1, undefined, 3, undefined])
    expect(outcome.failures.map((f) => [f.index, (f.cause as Error).message])).toEqual([[1, 'negative -2'], [3, 'negative -4']])
    await expect(settleWithin(time, pool.run(-9))).rejects.toThrow('negative -9')
    await settleWithin(time, pool.stop())
  })

  it('resolves the callers of the items that succeeded with undefined when a plain PartialBatchError carries no results', async () => {
    const pool = workerPool<number, number>({ workers: 1, batchSize: 2, process: () => { throw new PartialBatchError([{ index: 1, cause: 'bad' }]) } })
    const [ok, bad] = [pool.run(1), pool.run(2)]
    await expect(ok).resolves.toBeUndefined()
    await expect(bad).rejects.toBe('bad')
    await pool.stop()
  })

  it('finishes queued items on stop, then refuses new ones', async () => {
    const time = createVirtualTime()
    const pool = workerPool<number, number>({ workers: 1, batchSize: 100, maxWaitMs: 1000, scheduler: time.scheduler, process: async (b) => b })
    const queued = pool.run(7)
    await settleWithin(time, pool.stop())
    await expect(queued).resolves.toBe(7)
    await expect(pool.run(8)).rejects.toBeInstanceOf(BatcherStoppedError)
    expect(pool.metrics()).toMatchObject({ itemsFlushed: 1, state: 'stopped' })
  })

  it('throws a ConfigError without a process function or with a bad worker count', () => {
    expect(() => workerPool({} as never)).toThrow('`process`')
    expect(() => workerPool({ process: (b: number[]) => b, workers: 0 })).toThrow(ConfigError)
  })
})
