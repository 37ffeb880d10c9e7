import { Subject } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { ConfigError, createVirtualTime } from '../../src/index.ts'
import { window, type Window } from '../../src/patterns/window.ts'

async function collect<V>(iterable: AsyncIterable<V>): Promise<V[]> {
  const out: V[] = []
  for await (const v of iterable) out.push(v)
  return out
}

describe('window by count', () => {
  it('tumbles by default and emits the partial last window on complete', async () => {
    const windows = await collect(window([1, 2, 3, 4, 5], { count: 2 }))
    expect(windows).toEqual([{ start: 0, end: 2, items: [1, 2] }, { start: 2, end: 4, items: [3, 4] }, { start: 4, end: 6, items: [5] }])
  })

  it('slides: each item is in every window that covers it, like bufferCount(count, slide)', async () => {
    const windows = await collect(window('abcde', { count: 3, slide: 1 }))
    expect(windows.map((w) => w.items.join(''))).toEqual(['abc', 'bcd', 'cde', 'de', 'e'])
  })

  it('skips the items between windows when slide > count', async () => {
    const windows = await collect(window([0, 1, 2, 3, 4, 5, 6], { count: 2, slide: 3 }))
    expect(windows.map((w) => w.items)).toEqual([[0, 1], [3, 4], [6]])
  })
})

describe('window by time', () => {
  it('emits each tumbling window at its end, in order, with the items that arrived in [start, end)', async () => {
    const time = createVirtualTime()
    const events = new Subject<string>()
    const seen: Window<string>[] = []
    window(events, { sizeMs: 100, scheduler: time.scheduler }).subscribe((w) => seen.push(w))
    events.next('a')
    await time.advanceBy(99)
    events.next('b')
    expect(seen).toEqual([])
    await time.advanceBy(1)
    events.next('c') // at 100: the next window
    expect(seen).toEqual([{ start: 0, end: 100, items: ['a', 'b'] }])
    await time.advanceBy(100)
    expect(seen[1]).toEqual({ start: 100, end: 200, items: ['c'] })
  })

  it('slides: an event lands in every window covering its time', async () => {
    const time = createVirtualTime()
    const events = new Subject<number>()
    const seen: Window<number>[] = []
    window(events, { sizeMs: 30, slideMs: 10, scheduler: time.scheduler }).subscribe((w) => seen.push(w))
    await time.advanceBy(25)
    events.next(25)
    await time.advanceBy(100)
    expect(seen.map((w) => [w.start, w.end, w.items])).toEqual([[0, 30, [25]], [10, 40, [25]], [20, 50, [25]]])
  })

  it('emits no empty windows and runs no timer while no window is open', async () => {
    const time = createVirtualTime()
    const events = new Subject<number>()
    const seen: Window<number>[] = []
    window(events, { sizeMs: 10, scheduler: time.scheduler }).subscribe((w) => seen.push(w))
    await time.advanceBy(1000)
    expect(seen).toEqual([])
    expect(time.scheduler.actions).toHaveLength(0)
    events.next(1)
    expect(time.scheduler.actions).toHaveLength(1)
    await time.advanceBy(10)
    expect(seen).toEqual([{ start: 1000, end: 1010, items: [1] }])
    expect(time.scheduler.actions).toHaveLength(0)
  })

  it('emits the open windows at once when the source completes, then completes', async () => {
    const time = createVirtualTime()
    const events = new Subject<number>()
    const seen: Window<number>[] = []
    let completed = false
    window(events, { sizeMs: 100, slideMs: 50, scheduler: time.scheduler }).subscribe({ next: (w) => seen.push(w), complete: () => (completed = true) })
    await time.advanceBy(60)
    events.next(60)
    events.complete()
    await time.settle()
    expect(seen).toEqual([{ start: 0, end: 100, items: [60] }, { start: 50, end: 150, items: [60] }])
    expect(completed).toBe(true)
  })

  it('hands the open windows to onCancel on unsubscribe (regression: a cancelled stream dropped its pending batch)', async () => {
    const time = createVirtualTime()
    const events = new Subject<number>()
    const cancelled: Window<number>[][] = []
    const subscription = window(events, { sizeMs: 100, scheduler: time.scheduler, onCancel: (p) => cancelled.push(p) }).subscribe()
    events.next(1)
    events.next(2)
    subscription.unsubscribe()
    await time.settle()
    expect(cancelled).toEqual([[{ start: 0, end: 100, items: [1, 2] }]])
    expect(time.scheduler.actions).toHaveLength(0)
  })

  it('hands windows not yet taken and the open one to onCancel on break', async () => {
    const cancelled: Window<number>[][] = []
    for await (const w of window([1, 2, 3, 4, 5, 6, 7], { count: 2, onCancel: (p) => cancelled.push(p) })) {
      expect(w.items).toEqual([1, 2])
      break
    }
    const handed = cancelled.flat().flatMap((w) => w.items)
    expect(handed[0]).toBe(3)
    expect(handed).toEqual(Array.from({ length: handed.length }, (_, i) => i + 3))
  })
})

describe('window by time over an async iterable', () => {
  it('assigns each item by the scheduler\'s time when it is read, and emits the last window when the source ends', async () => {
    const time = createVirtualTime()
    async function* readings() {
      yield 'a'
      await time.advanceBy(60)
      yield 'b'
      await time.advanceBy(60)
      yield 'c'
    }
    const windows: Window<string>[] = []
    for await (const w of window(readings(), { sizeMs: 100, scheduler: time.scheduler })) windows.push(w)
    expect(windows).toEqual([{ start: 0, end: 100, items: ['a', 'b'] }, { start: 100, end: 200, items: ['c'] }])
  })
})

describe('window options', () => {
  it('rejects bad options with a ConfigError naming the field', () => {
    expect(() => window([1], { sizeMs: 0 })).toThrow(ConfigError)
    expect(() => window([1], { sizeMs: 10, slideMs: -1 })).toThrow('`slideMs`')
    expect(() => window([1], { count: 1.5 })).toThrow('`count`')
    expect(() => window([1], { count: 2, slide: 0 })).toThrow('`slide`')
    expect(() => window([1], {} as never)).toThrow('`sizeMs`')
    expect(() => window([1], { sizeMs: 10, count: 2 } as never)).toThrow('`count`')
  })
})
