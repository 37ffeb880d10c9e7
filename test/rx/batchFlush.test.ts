import { Subject, from, lastValueFrom, toArray } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { ConfigError, createVirtualTime, type Batcher } from '../../src/index.ts'
import { batchFlush, type BatchFlushResult } from '../../src/rx/batchFlush.ts'

function record<V>() {
  const seen = { values: [] as V[], completed: false, error: undefined as unknown }
  return { seen, observer: { next: (v: V) => seen.values.push(v), complete: () => (seen.completed = true), error: (e: unknown) => (seen.error = e) } }
}

describe('batchFlush', () => {
  it('emits what each batch became, with the flush\'s result, and flushes the pending batch on complete', async () => {
    const out = await lastValueFrom(
      from([1, 2, 3, 4, 5]).pipe(
        batchFlush({ size: 2, maxWaitMs: Infinity, flush: (batch: number[]) => batch.reduce((a, b) => a + b, 0) }),
        toArray(),
      ),
    )
    expect(out).toEqual([
      { type: 'flushed', batchId: 1, items: [1, 2], result: 3 },
      { type: 'flushed', batchId: 2, items: [3, 4], result: 7 },
      { type: 'flushed', batchId: 3, items: [5], result: 5 },
    ])
  })

  it('cuts a partial batch after maxWaitMs on the injected scheduler', async () => {
    const time = createVirtualTime()
    const source = new Subject<string>()
    const { seen, observer } = record<BatchFlushResult<string, number>>()
    source.pipe(batchFlush({ size: 10, maxWaitMs: 100, scheduler: time.scheduler, flush: async (batch: string[]) => batch.length })).subscribe(observer)
    source.next('a')
    await time.advanceBy(99)
    expect(seen.values).toEqual([])
    await time.advanceBy(1)
    expect(seen.values).toEqual([{ type: 'flushed', batchId: 1, items: ['a'], result: 1 }])
    source.complete()
    await time.settle()
    expect(seen.completed).toBe(true)
  })

  it('retries a failing batch and emits the items whose last attempt failed as deadLettered', async () => {
    const time = createVirtualTime()
    const source = new Subject<number>()
    const { seen, observer } = record<BatchFlushResult<number, string>>()
    source.pipe(batchFlush({
      size: 2, scheduler: time.scheduler, retry: { attempts: 2, backoffMs: 10, jitter: false },
      flush: (batch: number[], info) => {
        if (batch.includes(13)) throw new Error(`unlucky attempt ${info.attempt}`)
        return 'ok'
      },
    })).subscribe(observer)
    source.next(13)
    source.next(14)
    await time.advanceBy(10)
    expect(seen.values).toEqual([{ type: 'deadLettered', batchId: 1, items: [13, 14], error: new Error('unlucky attempt 2') }])
  })

  it('passes the source\'s error on after the pending batch was flushed and emitted', async () => {
    const time = createVirtualTime()
    const source = new Subject<number>()
    const { seen, observer } = record<BatchFlushResult<number, number>>()
    source.pipe(batchFlush({ size: 10, scheduler: time.scheduler, flush: (b: number[]) => b.length })).subscribe(observer)
    source.next(1)
    source.error(new Error('upstream'))
    await time.settle()
    expect(seen.values).toEqual([{ type: 'flushed', batchId: 1, items: [1], result: 1 }])
    expect((seen.error as Error).message).toBe('upstream')
  })

  it('on unsubscribe still flushes what was accepted (nothing lost) but emits nothing more', async () => {
    const time = createVirtualTime()
    const source = new Subject<number>()
    const written: number[][] = []
    let batcher!: Batcher<number>
    const { seen, observer } = record<BatchFlushResult<number, void>>()
    const subscription = source.pipe(batchFlush({ size: 10, scheduler: time.scheduler, onBatcher: (b) => (batcher = b), flush: (b: number[]) => void written.push(b) })).subscribe(observer)
    source.next(1)
    source.next(2)
    subscription.unsubscribe()
    await time.settle()
    expect(written).toEqual([[1, 2]])
    expect(seen.values).toEqual([])
    expect(batcher.state).toBe('stopped')
    expect(source.observed).toBe(false)
  })

  it('with overflow "drop" refuses values while full and counts them; with "wait" (default) queues them in order', async () => {
    const time = createVirtualTime()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    for (const overflow of ['drop', 'wait'] as const) {
      const source = new Subject<number>()
      let batcher!: Batcher<number>
      const written: number[] = []
      const done = lastValueFrom(source.pipe(
        batchFlush({ size: 2, capacity: 2, overflow, scheduler: time.scheduler, onBatcher: (b) => (batcher = b), flush: async (b: number[]) => { await gate; written.push(...b) } }),
        toArray(),
      ))
      for (let i = 1; i <= 6; i++) source.next(i)
      source.complete()
      release()
      await time.advanceBy(10)
      await done
      if (overflow === 'drop') {
        expect(written).toEqual([1, 2])
        expect(batcher.metrics().itemsDropped).toBe(4)
      } else {
        expect(written).toEqual([1, 2, 3, 4, 5, 6])
        expect(batcher.metrics().itemsDropped).toBe(0)
      }
    }
  })

  it('feeds the controller through the feedback option', async () => {
    const source = new Subject<number>()
    const fed: unknown[] = []
    const done = lastValueFrom(source.pipe(batchFlush({ size: 1, flush: (b: number[]) => b[0]! * 10, feedback: (result, batch) => void fed.push([result, batch]) }), toArray()))
    source.next(4)
    source.complete()
    await done
    expect(fed).toEqual([[40, [4]]])
  })

  it('checks its options at the call with a ConfigError', () => {
    expect(() => batchFlush({} as never)).toThrow('`flush`')
    expect(() => batchFlush({ flush: () => 1, size: 0 })).toThrow(ConfigError)
    expect(() => batchFlush({ flush: () => 1, overflow: 'explode' as never })).toThrow('`overflow`')
    expect(() => batchFlush({ flush: () => 1, sise: 3 } as never)).toThrow('`sise`')
  })
})

describe('batchFlush on an empty source', () => {
  it('completes without emitting and never calls flush with an empty batch', async () => {
    let calls = 0
    const out = await lastValueFrom(from([] as number[]).pipe(batchFlush({ flush: () => void calls++ }), toArray()))
    expect(out).toEqual([])
    expect(calls).toBe(0)
  })
})
