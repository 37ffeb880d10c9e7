/**
 * Error classes (issue 12): too large cuts the batch in two and lowers the ceiling, never
 * dead-lettering an item for its batch's size; a bad item is isolated and dead-lettered alone;
 * fatal is not retried; `classify` and a sink's `maxBatchSize` steer it.
 */
import { describe, expect, it } from 'vitest'
import { createBatcher, createVirtualTime, type ErrorKind } from '../../src/index.ts'
import { classifyError } from '../../src/controllers/classifyError.ts'
import { FlushTimeoutError } from '../../src/errors.ts'

const kindError = (kind: ErrorKind, message = kind) => Object.assign(new Error(message), { kind })

async function run(options: { flush: (batch: number[]) => void; size?: number | { initial: number; min: number; max: number }; items: number; classify?: (e: unknown) => ErrorKind | undefined; maxBatchSize?: number }) {
  const time = createVirtualTime()
  const batches: number[][] = []
  const dead: number[] = []
  const batcher = createBatcher<number>({
    flush: (batch) => {
      batches.push(batch)
      options.flush(batch)
    },
    size: options.size ?? 100, maxWaitMs: 10, scheduler: time.scheduler, retry: { attempts: 3, backoffMs: 1, jitter: false },
    onDeadLetter: (items) => {
      dead.push(...items)
    },
    ...(options.classify ? { classify: options.classify } : {}),
    ...(options.maxBatchSize ? { maxBatchSize: options.maxBatchSize } : {}),
  })
  for (let i = 0; i < options.items; i++) batcher.tryAdd(i)
  const stopped = batcher.stop()
  await time.advanceBy(1000)
  await stopped
  return { batches, dead, metrics: batcher.metrics() }
}

describe('error classes', () => {
  it('too large: cuts the batch in two until it fits, lowers the ceiling, dead-letters nothing', async () => {
    const { batches, dead, metrics } = await run({ items: 300, flush: (batch) => { if (batch.length > 30) throw kindError('tooLarge') } })
    expect(dead).toEqual([])
    expect(metrics.itemsFlushed).toBe(300)
    expect(metrics.batchSize).toBe(25) // 100 → 50 → 25
    const accepted = batches.filter((b) => b.length <= 30)
    expect(accepted.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i))
    expect(batches.filter((b) => b.length > 30)).toHaveLength(3) // the first batch 100, then its two halves of 50
  })

  it('too large for one item alone: that item is dead-lettered, nothing else', async () => {
    const { dead, metrics } = await run({ items: 8, size: 8, flush: (batch) => { if (batch.includes(5)) throw kindError('tooLarge') } })
    expect(dead).toEqual([5])
    expect(metrics.itemsFlushed).toBe(7)
  })

  it('bad item: halves until the poison item is alone, dead-letters only it, without retries', async () => {
    const { dead, metrics, batches } = await run({ items: 40, size: 40, flush: (batch) => { if (batch.includes(13)) throw kindError('badItem') } })
    expect(dead).toEqual([13])
    expect(metrics.itemsFlushed).toBe(39)
    expect(batches.filter((b) => b.includes(13)).map((b) => b.length)).toEqual([40, 20, 10, 5, 2, 1])
  })

  it('fatal: dead-lettered after one attempt', async () => {
    const { dead, metrics } = await run({ items: 10, size: 10, flush: () => { throw new Error('schema mismatch') }, classify: (e) => ((e as Error).message === 'schema mismatch' ? 'fatal' : undefined) })
    expect(dead).toHaveLength(10)
    expect([metrics.flushCount, metrics.retries]).toEqual([1, 0])
  })

  it('keeps a sink\'s hard ceiling over the size range', async () => {
    const { batches } = await run({ items: 100, size: { initial: 50, min: 20, max: 1000 }, maxBatchSize: 10, flush: () => {} })
    expect(Math.max(...batches.map((b) => b.length))).toBe(10)
  })

  it('classifies: the classifier first, then the error\'s kind, a timeout, else overload; a throwing classifier counts as absent', () => {
    expect(classifyError(new Error('x'), () => 'badItem')).toBe('badItem')
    expect(classifyError(kindError('fatal'))).toBe('fatal')
    expect(classifyError(new FlushTimeoutError(10))).toBe('timeout')
    expect(classifyError(new Error('x'))).toBe('overload')
    expect(classifyError({ kind: 'nonsense' })).toBe('overload')
    expect(classifyError(kindError('tooLarge'), () => { throw new Error('bug') })).toBe('tooLarge')
    expect(classifyError(new Error('x'), () => 'weird' as ErrorKind)).toBe('overload')
    expect(classifyError(null)).toBe('overload')
  })
})
