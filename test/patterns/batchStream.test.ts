import { Subject, type Observable } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { AbortError, ConfigError, createVirtualTime } from '../../src/index.ts'
import { batchStream } from '../../src/patterns/batchStream.ts'

async function collect<V>(iterable: AsyncIterable<V>): Promise<V[]> {
  const out: V[] = []
  for await (const v of iterable) out.push(v)
  return out
}

function record<V>(observable: Observable<V>) {
  const seen = { values: [] as V[], completed: false, error: undefined as unknown }
  const subscription = observable.subscribe({ next: (v) => seen.values.push(v), complete: () => (seen.completed = true), error: (e: unknown) => (seen.error = e) })
  return { seen, subscription }
}

describe('batchStream over an async iterable', () => {
  it('yields batches of size and the partial last batch when the source completes', async () => {
    async function* numbers() {
      for (let i = 1; i <= 7; i++) yield i
    }
    expect(await collect(batchStream(numbers(), { size: 3 }))).toEqual([[1, 2, 3], [4, 5, 6], [7]])
  })

  it('reads the source only as fast as batches are taken', async () => {
    let read = 0
    function* numbers() {
      for (let i = 0; i < 1000; i++) {
        read++
        yield i
      }
    }
    const batches = batchStream(numbers(), { size: 10 })
    await batches.next()
    expect(read).toBeLessThanOrEqual(21) // the batch taken, one batch ready, and the item that filled it
    await batches.return()
  })

  it('cuts a partial batch after maxWaitMs of the scheduler\'s time', async () => {
    const time = createVirtualTime()
    async function* slow() {
      yield 1
      yield 2
      await new Promise((resolve) => setTimeout(resolve, 0))
      await time.advanceBy(100)
      yield 3
    }
    const out = await collect(batchStream(slow(), { size: 10, maxWaitMs: 100, scheduler: time.scheduler }))
    expect(out).toEqual([[1, 2], [3]])
  })

  it('hands the pending batch and the batches not taken to onCancel on break (regression: the guide dropped them)', async () => {
    const read: number[] = []
    function* numbers() {
      for (let i = 1; i <= 100; i++) {
        read.push(i)
        yield i
      }
    }
    const cancelled: number[][] = []
    const delivered: number[] = []
    for await (const batch of batchStream(numbers(), { size: 3, onCancel: (pending) => cancelled.push(pending) })) {
      delivered.push(...batch)
      if (delivered.length >= 6) break
    }
    expect(cancelled).toHaveLength(1)
    expect(cancelled[0]!.length).toBeGreaterThan(0)
    expect([...delivered, ...cancelled[0]!]).toEqual(read) // every item read was delivered or handed over, in order
    expect(read.length).toBeLessThan(100)
  })

  it('throws AbortError on abort and hands what was read to onCancel', async () => {
    const controller = new AbortController()
    const cancelled: number[][] = []
    async function* stalls() {
      yield 1
      yield 2
      await new Promise(() => {}) // never yields again
    }
    const batches = batchStream(stalls(), { size: 5, signal: controller.signal, onCancel: (pending) => cancelled.push(pending) })
    const first = batches.next()
    setTimeout(() => controller.abort('enough'), 0)
    await expect(first).rejects.toBeInstanceOf(AbortError)
    expect(cancelled).toEqual([[1, 2]])
  })

  it('yields the pending batch, then throws the source\'s error', async () => {
    function* broken() {
      yield 1
      yield 2
      throw new Error('source broke')
    }
    const out: number[][] = []
    await expect((async () => { for await (const b of batchStream(broken(), { size: 5 })) out.push(b) })()).rejects.toThrow('source broke')
    expect(out).toEqual([[1, 2]])
  })
})

describe('batchStream over an Observable', () => {
  it('emits full batches, a time-cut partial batch, and the pending batch on complete', async () => {
    const time = createVirtualTime()
    const source = new Subject<string>()
    const { seen } = record(batchStream(source, { size: 2, maxWaitMs: 50, scheduler: time.scheduler }))
    source.next('a')
    source.next('b')
    source.next('c')
    expect(seen.values).toEqual([['a', 'b']])
    await time.advanceBy(50)
    expect(seen.values).toEqual([['a', 'b'], ['c']])
    source.next('d')
    source.complete()
    await time.settle()
    expect(seen.values).toEqual([['a', 'b'], ['c'], ['d']])
    expect(seen.completed).toBe(true)
  })

  it('on unsubscribe hands the pending batch to onCancel instead of dropping it', async () => {
    const source = new Subject<number>()
    const cancelled: number[][] = []
    const { seen, subscription } = record(batchStream(source, { size: 10, onCancel: (p) => cancelled.push(p) }))
    source.next(1)
    source.next(2)
    subscription.unsubscribe()
    await new Promise((resolve) => setImmediate(resolve))
    expect(seen.values).toEqual([])
    expect(cancelled).toEqual([[1, 2]])
    expect(source.observed).toBe(false)
  })

  it('emits the pending batch before passing on the source\'s error', async () => {
    const source = new Subject<number>()
    const { seen } = record(batchStream(source, { size: 10 }))
    source.next(1)
    source.error(new Error('upstream failed'))
    await new Promise((resolve) => setImmediate(resolve))
    expect(seen.values).toEqual([[1]])
    expect((seen.error as Error).message).toBe('upstream failed')
  })

  it('rejects bad options with a ConfigError naming the field', () => {
    expect(() => batchStream([1], { size: 0 })).toThrow(ConfigError)
    expect(() => batchStream([1], {} as never)).toThrow('`size`')
    expect(() => batchStream([1], { size: 1, maxWaitMs: 0 })).toThrow('`maxWaitMs`')
    expect(() => batchStream(5 as never, { size: 1 })).toThrow('`source`')
  })
})

describe('batchStream cancelled while an async source is answering', () => {
  it('hands an item that arrives for a read pending at the cancel to onCancel as well', async () => {
    let release!: (value: IteratorResult<number>) => void
    let reads = 0
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => {
          reads++
          if (reads <= 2) return Promise.resolve({ value: reads, done: false })
          return new Promise<IteratorResult<number>>((resolve) => (release = resolve))
        },
        return: async () => ({ value: undefined, done: true }),
      }),
    }
    const handed: number[][] = []
    const batches = batchStream(source, { size: 2, onCancel: (pending) => handed.push(pending) })
    expect((await batches.next()).value).toEqual([1, 2])
    await new Promise((resolve) => setImmediate(resolve)) // the producer now waits on read 3
    await batches.return()
    release({ value: 3, done: false })
    await new Promise((resolve) => setImmediate(resolve))
    expect(handed).toEqual([[3]])
  })
})
