import { describe, expect, it } from 'vitest'
import { AbortError, ConfigError, createVirtualTime, PartialBatchError } from '../../src/index.ts'
import { PartialResultsError } from '../../src/patterns/partialResults.ts'
import { withRetry } from '../../src/patterns/withRetry.ts'
import { settleWithin } from './timing.ts'

describe('withRetry', () => {
  it('retries only the failed items of a partial failure and merges the results in batch order', async () => {
    const time = createVirtualTime()
    const calls: string[][] = []
    const flaky = withRetry<string, string>((batch, info) => {
      calls.push(batch)
      const failures = batch.flatMap((item, index) => (item.length > info.attempt ? [{ index, cause: `${item} not yet` }] : []))
      if (failures.length > 0) throw new PartialResultsError(batch.map((s) => s.toUpperCase()), failures)
      return batch.map((s) => s.toUpperCase())
    }, { attempts: 3, backoffMs: 100, jitter: false, scheduler: time.scheduler })
    const results = await settleWithin(time, flaky(['a', 'bb', 'ccc', 'd']))
    expect(calls).toEqual([['a', 'bb', 'ccc', 'd'], ['bb', 'ccc'], ['ccc']])
    expect(results).toEqual(['A', 'BB', 'CCC', 'D'])
  })

  it('waits backoffMs doubling to maxBackoffMs between tries (the batcher\'s policy)', async () => {
    const time = createVirtualTime()
    const at: number[] = []
    const failing = withRetry(() => {
      at.push(time.now())
      throw new Error('down')
    }, { attempts: 4, backoffMs: 100, maxBackoffMs: 250, jitter: false, scheduler: time.scheduler })
    await expect(settleWithin(time, failing([1]), 10_000, 1)).rejects.toBeInstanceOf(PartialResultsError)
    expect(at).toEqual([0, 100, 300, 550])
  })

  it('throws a PartialResultsError with the successes\' results and each remaining item\'s last cause', async () => {
    const time = createVirtualTime()
    const retried = withRetry<number, number>((batch, info) => {
      throw new PartialBatchError(batch.flatMap((n, index) => (n < 0 ? [{ index, cause: `attempt ${info.attempt}: ${n}` }] : [])))
    }, { attempts: 2, backoffMs: 10, scheduler: time.scheduler, random: () => 0 })
    const error = await settleWithin(time, retried([5, -1, 6, -2])).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PartialResultsError)
    const partial = error as PartialResultsError<number>
    expect(partial.failures).toEqual([{ index: 1, cause: 'attempt 2: -1' }, { index: 3, cause: 'attempt 2: -2' }])
    expect(partial.results).toEqual([undefined, undefined, undefined, undefined]) // a plain PartialBatchError carries no results
  })

  it('retries the whole batch on a whole-batch error and stops after attempts', async () => {
    const time = createVirtualTime()
    let calls = 0
    const retried = withRetry(() => {
      calls++
      throw new Error('nope')
    }, { attempts: 3, backoffMs: 1, scheduler: time.scheduler })
    const error = (await settleWithin(time, retried(['x', 'y'])).catch((e: unknown) => e)) as PartialResultsError<unknown>
    expect(calls).toBe(3)
    expect(error.failures.map((f) => f.index)).toEqual([0, 1])
    expect((error.failures[0]!.cause as Error).message).toBe('nope')
  })

  it('ends the wait at once on abort, with AbortError as the cause of the items left', async () => {
    const time = createVirtualTime()
    const controller = new AbortController()
    let calls = 0
    const retried = withRetry(() => {
      calls++
      throw new Error('nope')
    }, { attempts: 5, backoffMs: 10_000, scheduler: time.scheduler, signal: controller.signal })
    const pending = retried([1]).catch((e: unknown) => e)
    await time.advanceBy(10)
    controller.abort('shutting down')
    const error = (await pending) as PartialResultsError<unknown>
    expect(calls).toBe(1)
    expect(error.failures[0]!.cause).toBeInstanceOf(AbortError)
  })

  it('passes the caller\'s signal and its own attempt number to the function', async () => {
    const outer = new AbortController()
    const seen: { aborted: boolean; attempt: number }[] = []
    const retried = withRetry((batch: number[], info) => {
      seen.push({ aborted: info.signal.aborted, attempt: info.attempt })
      return batch
    })
    await retried([1], { signal: outer.signal, attempt: 7, batchId: 3, batchSize: 1, trigger: 'size' })
    expect(seen).toEqual([{ aborted: false, attempt: 1 }])
  })

  it('rejects bad options with a ConfigError naming the field', () => {
    expect(() => withRetry((b) => b, { attempts: 0 })).toThrow(ConfigError)
    expect(() => withRetry((b) => b, { attempts: 0 })).toThrow('`retry.attempts`')
    expect(() => withRetry((b) => b, { backoffMs: 100, maxBackoffMs: 10 })).toThrow('`retry.maxBackoffMs`')
    expect(() => withRetry('x' as never)).toThrow('`fn`')
  })
})
