import { describe, expect, it } from 'vitest'
import { createBatcher, createVirtualTime, FlushTimeoutError, PartialBatchError } from '../../src/index.ts'
import type { FlushInfo } from '../../src/batcher/flushFunction.ts'

function deadLetters<T>() {
  const letters: { items: T[]; error: unknown }[] = []
  return { letters, onDeadLetter: (items: T[], error: unknown) => void letters.push({ items, error }) }
}

describe('a flush that fails', () => {
  it('retries a flush that throws synchronously, then succeeds', async () => {
    const time = createVirtualTime()
    const attempts: number[] = []
    const batcher = createBatcher<number>({
      size: 2, scheduler: time.scheduler, retry: { attempts: 3, backoffMs: 100, jitter: false },
      flush: (_batch, info) => {
        attempts.push(info.attempt)
        if (info.attempt < 3) throw new Error('boom')
      },
    })
    batcher.addMany([1, 2])
    await time.advanceBy(99)
    expect(attempts).toEqual([1])
    await time.advanceBy(1)
    expect(attempts).toEqual([1, 2])
    await time.advanceBy(199)
    expect(attempts).toEqual([1, 2])
    await time.advanceBy(1) // backoff doubled: 200 ms
    expect(attempts).toEqual([1, 2, 3])
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 2, flushCount: 3, failedFlushes: 2, retries: 2, itemsFailed: 0 })
    await batcher.stop()
  })

  it('dead-letters a batch whose every attempt rejects, and keeps working', async () => {
    const time = createVirtualTime()
    const dead = deadLetters<number>()
    const batcher = createBatcher<number>({
      size: 2, scheduler: time.scheduler, retry: { attempts: 2, backoffMs: 10, jitter: false }, onDeadLetter: dead.onDeadLetter,
      flush: async (batch) => {
        if (batch.includes(1)) throw new Error('bad batch')
      },
    })
    const rejected = batcher.submit(1)
    const rejection = expect(rejected).rejects.toThrow('bad batch')
    batcher.tryAdd(2)
    await time.advanceBy(10)
    await rejection
    expect(dead.letters).toEqual([{ items: [1, 2], error: new Error('bad batch') }])
    const ok = batcher.submit(3)
    batcher.tryAdd(4)
    await ok
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 2, itemsFailed: 2, failedFlushes: 2, retries: 1 })
    await batcher.stop()
  })

  it('times out a hanging flush, aborts its signal and retries it', async () => {
    const time = createVirtualTime()
    const signals: AbortSignal[] = []
    const batcher = createBatcher<number>({
      size: 1, flushTimeoutMs: 500, scheduler: time.scheduler, retry: { attempts: 2, backoffMs: 10, jitter: false },
      flush: (_batch, info: FlushInfo) => {
        signals.push(info.signal)
        return info.attempt === 1 ? new Promise(() => {}) : undefined
      },
    })
    batcher.tryAdd(1)
    await time.advanceBy(499)
    expect(signals[0]!.aborted).toBe(false)
    await time.advanceBy(1)
    expect(signals[0]!.aborted).toBe(true)
    expect(signals[0]!.reason).toBeInstanceOf(FlushTimeoutError)
    await time.advanceBy(10)
    expect(signals).toHaveLength(2)
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 1, failedFlushes: 1, retries: 1 })
    await batcher.stop()
  })

  it('dead-letters with FlushTimeoutError when every attempt hangs', async () => {
    const time = createVirtualTime()
    const dead = deadLetters<number>()
    const batcher = createBatcher<number>({
      size: 1, flushTimeoutMs: 100, scheduler: time.scheduler, retry: { attempts: 2, backoffMs: 10, jitter: false }, onDeadLetter: dead.onDeadLetter,
      flush: () => new Promise(() => {}),
    })
    batcher.tryAdd(1)
    await time.advanceBy(210)
    expect(dead.letters).toHaveLength(1)
    expect(dead.letters[0]!.error).toBeInstanceOf(FlushTimeoutError)
    expect(batcher.metrics()).toMatchObject({ itemsFailed: 1, itemsInFlight: 0 })
    await batcher.stop()
  })

  it('ignores the late answer of a timed-out attempt (no double count)', async () => {
    const time = createVirtualTime()
    let resolveFirst!: () => void
    const batcher = createBatcher<number>({
      size: 1, flushTimeoutMs: 100, scheduler: time.scheduler, retry: { attempts: 2, backoffMs: 10, jitter: false },
      flush: (_b, info) => (info.attempt === 1 ? new Promise<void>((r) => (resolveFirst = r)) : undefined),
    })
    batcher.tryAdd(1)
    await time.advanceBy(110)
    resolveFirst()
    await time.settle()
    expect(batcher.metrics()).toMatchObject({ itemsAdded: 1, itemsFlushed: 1, flushCount: 2 })
    await batcher.stop()
  })

  it('retries only the failed items of a partial failure', async () => {
    const time = createVirtualTime()
    const batches: string[][] = []
    const dead = deadLetters<string>()
    const batcher = createBatcher<string>({
      size: 4, scheduler: time.scheduler, retry: { attempts: 3, backoffMs: 10, jitter: false }, onDeadLetter: dead.onDeadLetter,
      flush: (batch) => {
        batches.push(batch)
        const failures = batch.flatMap((item, index) => (item.startsWith('bad') || (item === 'flaky' && batches.length < 2) ? [{ index, cause: new Error(item) }] : []))
        if (failures.length) throw new PartialBatchError(failures)
      },
    })
    const results = ['a', 'flaky', 'b', 'bad'].map((item) => batcher.submit(item).then(() => 'ok', (e: Error) => e.message))
    await time.advanceBy(100)
    expect(batches).toEqual([['a', 'flaky', 'b', 'bad'], ['flaky', 'bad'], ['bad']])
    expect(await Promise.all(results)).toEqual(['ok', 'ok', 'ok', expect.stringMatching(/1 item\(s\) of the batch failed/)])
    expect(dead.letters.map((l) => l.items)).toEqual([['bad']])
    expect((dead.letters[0]!.error as PartialBatchError).failures[0]!.cause).toEqual(new Error('bad'))
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 3, itemsFailed: 1 })
    await batcher.stop()
  })

  it('retries the whole batch when a PartialBatchError names an index outside it', async () => {
    const time = createVirtualTime()
    const batches: number[][] = []
    const batcher = createBatcher<number>({
      size: 2, scheduler: time.scheduler, retry: { attempts: 2, backoffMs: 10, jitter: false },
      flush: (batch, info) => {
        batches.push(batch)
        if (info.attempt === 1) throw new PartialBatchError([{ index: 7, cause: 'x' }])
      },
    })
    batcher.addMany([1, 2])
    await time.advanceBy(10)
    expect(batches).toEqual([[1, 2], [1, 2]])
    await batcher.stop()
  })

  it('dead-letters with the error thrown by the then() of a thenable the flush returned', async () => {
    const time = createVirtualTime()
    const { letters, onDeadLetter } = deadLetters<number>()
    const broken = new Error('broken then')
    const batcher = createBatcher<number>({
      size: 1, scheduler: time.scheduler, retry: { attempts: 1 }, onDeadLetter,
      flush: () => ({ then: () => { throw broken } }) as unknown as Promise<void>,
    })
    const outcome = batcher.submit(1).then(() => 'ok', (error: unknown) => error)
    await time.settle()
    expect(await outcome).toBe(broken)
    expect(letters).toEqual([{ items: [1], error: broken }])
    expect(batcher.metrics()).toMatchObject({ itemsFailed: 1, failedFlushes: 1 })
  })

  it('survives an onDeadLetter that throws, and logs it', async () => {
    const time = createVirtualTime()
    const errors: string[] = []
    const batcher = createBatcher<number>({
      size: 1, scheduler: time.scheduler, retry: { attempts: 1 },
      logger: { debug() {}, info() {}, warn() {}, error: (m: string) => void errors.push(m) },
      onDeadLetter: () => {
        throw new Error('dlq down')
      },
      flush: () => {
        throw new Error('sink down')
      },
    })
    batcher.tryAdd(1)
    await time.settle()
    expect(errors).toEqual(['loadbatch: onDeadLetter threw'])
    expect(batcher.tryAdd(2)).toBe(true)
    await batcher.stop()
    expect(batcher.metrics().itemsFailed).toBe(2)
  })

  it('gives the sink its own copy of the batch, so mutating it loses nothing on retry', async () => {
    const time = createVirtualTime()
    const seen: number[][] = []
    const batcher = createBatcher<number>({
      size: 2, scheduler: time.scheduler, retry: { attempts: 2, backoffMs: 1, jitter: false },
      flush: (batch, info) => {
        seen.push([...batch])
        batch.length = 0
        if (info.attempt === 1) throw new Error('again')
      },
    })
    batcher.addMany([1, 2])
    await time.advanceBy(1)
    expect(seen).toEqual([[1, 2], [1, 2]])
    await batcher.stop()
  })

  it('spreads backoff with jitter between half and all of the delay', async () => {
    const time = createVirtualTime()
    const at: number[] = []
    const batcher = createBatcher<number>({
      size: 1, scheduler: time.scheduler, random: () => 0.5, retry: { attempts: 2, backoffMs: 100, jitter: true },
      flush: (_b, info) => {
        at.push(time.now())
        if (info.attempt === 1) throw new Error('x')
      },
    })
    batcher.tryAdd(1)
    await time.advanceBy(200)
    expect(at).toEqual([0, 75])
    await batcher.stop()
  })

  it('hands a sink that reads its signal late an already aborted signal, with the reason', async () => {
    const time = createVirtualTime()
    let info: FlushInfo | undefined
    const batcher = createBatcher<number>({
      size: 1, flushTimeoutMs: 100, scheduler: time.scheduler, retry: { attempts: 1 }, onDeadLetter: () => {},
      flush: (_batch, given) => {
        info = given // does not touch the signal yet
        return new Promise(() => {})
      },
    })
    batcher.tryAdd(1)
    await time.advanceBy(100)
    expect(info!.signal.aborted).toBe(true)
    expect(info!.signal.reason).toBeInstanceOf(FlushTimeoutError)
    await batcher.stop()
  })
})
