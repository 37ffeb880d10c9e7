import fc from 'fast-check'
import { Subject } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { createVirtualTime } from '../../src/index.ts'
import { window, type Window } from '../../src/patterns/window.ts'

/**
 * Random event times and window shapes, checked against the definition: an event at time t
 * (or position p) is in exactly the windows whose [start, end) covers it, each window holds
 * its events in arrival order, windows come out in order of start, none is empty, and a
 * window is emitted no earlier than its end (before the source completes).
 */
describe('window properties', () => {
  it('time windows: each event is in exactly the windows it belongs to', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 50 }),
        async (gaps, sizeMs, slideMs) => {
          const time = createVirtualTime()
          const events = new Subject<{ id: number; at: number }>()
          const seen: { window: Window<{ id: number; at: number }>; emittedAt: number }[] = []
          window(events, { sizeMs, slideMs, scheduler: time.scheduler }).subscribe((w) => seen.push({ window: w, emittedAt: time.now() }))
          const sent: { id: number; at: number }[] = []
          for (const [id, gap] of gaps.entries()) {
            await time.advanceBy(gap)
            const event = { id, at: time.now() }
            sent.push(event)
            events.next(event)
          }
          const endAt = time.now()
          events.complete()
          await time.settle()
          const windows = seen.map((s) => s.window)
          expect(windows.map((w) => w.start)).toEqual([...windows.map((w) => w.start)].sort((a, b) => a - b))
          for (const { window: w, emittedAt } of seen) {
            expect(w.items.length).toBeGreaterThan(0)
            expect(w.end - w.start).toBe(sizeMs)
            expect(w.start % slideMs).toBe(0)
            expect(w.items.map((e) => e.id)).toEqual([...w.items.map((e) => e.id)].sort((a, b) => a - b))
            if (w.end <= endAt) expect(emittedAt).toBe(w.end)
          }
          for (const event of sent) {
            const holding = windows.filter((w) => w.items.includes(event)).map((w) => w.start)
            const expected: number[] = []
            for (let start = 0; start <= event.at; start += slideMs) if (event.at < start + sizeMs) expected.push(start)
            expect(holding).toEqual(expected)
          }
        },
      ),
      { numRuns: 150 },
    )
  })

  it('count windows: each item is in exactly the windows it belongs to', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), async (n, count, slide) => {
        const items = Array.from({ length: n }, (_, i) => i)
        const windows: Window<number>[] = []
        for await (const w of window(items, { count, slide })) windows.push(w)
        expect(windows.map((w) => w.start)).toEqual([...windows.map((w) => w.start)].sort((a, b) => a - b))
        for (const w of windows) {
          expect(w.items).toEqual(items.slice(w.start, Math.min(w.end, n)))
          expect(w.end - w.start).toBe(count)
        }
        for (const item of items) {
          const holding = windows.filter((w) => w.items.includes(item)).map((w) => w.start)
          const expected: number[] = []
          for (let start = 0; start <= item; start += slide) if (item < start + count) expected.push(start)
          expect(holding).toEqual(expected)
        }
      }),
      { numRuns: 200 },
    )
  })
})
