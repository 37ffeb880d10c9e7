/**
 * Issue 10 item 1: Node fires a `setTimeout` delay past 2^31 − 1 ms after 1 ms. Every timer of a
 * batcher runs on the real default scheduler here, under vitest's fake timers (which reproduce
 * that clamp), so these fail if any delay reaches Node's timers unchained.
 */
import { asyncScheduler } from 'rxjs'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createBatcher } from '../../src/index.ts'
import type { Controller } from '../../src/controllers/controller.ts'
import { MAX_TIMER_DELAY_MS, scheduleAfter, unrefScheduler } from '../../src/scheduler.ts'

const HUGE = 2 ** 31

/** A flush that takes `ms` of (fake) real time. */
const slowFlush = (ms: number, written: number[][]) => (batch: number[]) =>
  new Promise<void>((resolve) => setTimeout(() => (written.push(batch), resolve()), ms))

describe('huge and infinite delays on the real scheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  for (const flushTimeoutMs of [Infinity, HUGE, 2 ** 40]) {
    it(`flushTimeoutMs ${flushTimeoutMs}: a 30 ms flush is written once, never timed out`, async () => {
      const written: number[][] = []
      const dead: number[][] = []
      const batcher = createBatcher<number>({ flush: slowFlush(30, written), size: 2, flushTimeoutMs, onDeadLetter: (items) => void dead.push(items) })
      batcher.addMany([1, 2])
      await vi.advanceTimersByTimeAsync(30)
      expect(written).toEqual([[1, 2]])
      expect(dead).toEqual([])
      expect(batcher.metrics()).toMatchObject({ itemsFlushed: 2, failedFlushes: 0, retries: 0 })
      await batcher.stop()
    })
  }

  it('flushTimeoutMs 2^31: a hanging flush times out at 2^31 ms, not before', async () => {
    const signals: AbortSignal[] = []
    const batcher = createBatcher<number>({
      size: 1, flushTimeoutMs: HUGE, retry: { attempts: 1 }, onDeadLetter: () => {},
      flush: (_batch, info) => (signals.push(info.signal), new Promise(() => {})),
    })
    batcher.tryAdd(1)
    await vi.advanceTimersByTimeAsync(HUGE - 1)
    expect(signals[0]!.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(signals[0]!.aborted).toBe(true)
    expect(batcher.metrics().itemsFailed).toBe(1)
    await batcher.stop()
  })

  it('maxWaitMs 2^31 cuts a partial batch at 2^31 ms, not after 1 ms', async () => {
    const written: number[][] = []
    const batcher = createBatcher<number>({ flush: (batch) => void written.push(batch), size: 10, maxWaitMs: HUGE })
    batcher.tryAdd(1)
    await vi.advanceTimersByTimeAsync(HUGE - 1)
    expect(written).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(written).toEqual([[1]])
    await batcher.stop()
  })

  it('stop({ timeoutMs: 2^31 }) lets a 60 ms flush finish instead of dead-lettering it', async () => {
    const written: number[][] = []
    const dead: number[][] = []
    const batcher = createBatcher<number>({ flush: slowFlush(60, written), size: 2, onDeadLetter: (items) => void dead.push(items) })
    batcher.addMany([1, 2])
    const stopped = batcher.stop({ timeoutMs: HUGE })
    await vi.advanceTimersByTimeAsync(60)
    await stopped
    expect(written).toEqual([[1, 2]])
    expect(dead).toEqual([])
  })

  it('a controller intervalMs of 2^31 adjusts after 2^31 ms, not after every flush', async () => {
    let decisions = 0
    const controller: Controller<null> = {
      name: 'counting', intervalMs: HUGE, initialState: () => null,
      decide: ({ target }) => (decisions++, { ...target, state: null }),
    }
    const batcher = createBatcher<number>({ flush: async () => {}, size: { initial: 1, min: 1, max: 10 }, controller })
    for (let i = 0; i < 5; i++) {
      batcher.tryAdd(i)
      await vi.advanceTimersByTimeAsync(10)
    }
    expect(decisions).toBe(0)
    batcher.tryAdd(99)
    await vi.advanceTimersByTimeAsync(HUGE)
    expect(decisions).toBe(1)
    await batcher.stop()
  })

  it('scheduleAfter honours 2^31 + 5 ms on RxJS asyncScheduler and on unrefScheduler, and never runs Infinity', async () => {
    const fired: string[] = []
    scheduleAfter(asyncScheduler, MAX_TIMER_DELAY_MS + 6, () => fired.push('async'))
    scheduleAfter(unrefScheduler, MAX_TIMER_DELAY_MS + 6, () => fired.push('unref'))
    scheduleAfter(unrefScheduler, Infinity, () => fired.push('never'))
    unrefScheduler.schedule(() => void fired.push('direct'), MAX_TIMER_DELAY_MS + 6)
    await vi.advanceTimersByTimeAsync(MAX_TIMER_DELAY_MS + 5)
    expect(fired).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(fired.sort()).toEqual(['async', 'direct', 'unref'])
    await vi.advanceTimersByTimeAsync(10 * MAX_TIMER_DELAY_MS)
    expect(fired).toHaveLength(3)
  })

  it('a cancelled chained timer never fires', async () => {
    const fired: number[] = []
    const timer = scheduleAfter(unrefScheduler, 3 * MAX_TIMER_DELAY_MS, () => fired.push(1))
    await vi.advanceTimersByTimeAsync(MAX_TIMER_DELAY_MS + 1)
    timer.unsubscribe()
    await vi.advanceTimersByTimeAsync(3 * MAX_TIMER_DELAY_MS)
    expect(fired).toEqual([])
  })
})
