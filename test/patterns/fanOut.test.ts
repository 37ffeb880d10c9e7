import { describe, expect, it } from 'vitest'
import { ConfigError, createVirtualTime } from '../../src/index.ts'
import { DEFAULT_FAN_OUT_CONCURRENCY, fanOut } from '../../src/patterns/fanOut.ts'
import { settleWithin, sleep } from './timing.ts'

describe('fanOut', () => {
  it('runs at most 8 calls at once by default, however many items (regression: the guide\'s fan-out had no bound)', async () => {
    const time = createVirtualTime()
    let running = 0
    let peak = 0
    const outcome = await settleWithin(
      time,
      fanOut(Array.from({ length: 1000 }, (_, i) => i), async (n) => {
        running++
        peak = Math.max(peak, running)
        await sleep(time, 5)
        running--
        return n + 1
      }, { scheduler: time.scheduler }),
      100_000,
    )
    expect(peak).toBe(DEFAULT_FAN_OUT_CONCURRENCY)
    expect(outcome.results).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1))
  })

  it('honours a given concurrency and reports each failed item with its cause, keeping the others', async () => {
    const time = createVirtualTime()
    let running = 0
    let peak = 0
    const outcome = await settleWithin(
      time,
      fanOut(['a', 'bad', 'c', 'worse'], async (s) => {
        running++
        peak = Math.max(peak, running)
        await sleep(time, 3)
        running--
        if (s.length > 2) throw new Error(`rejected ${s}`)
        return s.toUpperCase()
      }, { concurrency: 2, scheduler: time.scheduler }),
    )
    expect(peak).toBe(2)
    expect(outcome.results).toEqual(['A', undefined, 'C', undefined])
    expect(outcome.failures.map((f) => [f.index, f.item, (f.cause as Error).message])).toEqual([[1, 'bad', 'rejected bad'], [3, 'worse', 'rejected worse']])
  })

  it('hands each call an abort signal that fires when the run is aborted', async () => {
    const time = createVirtualTime()
    const controller = new AbortController()
    const signals: AbortSignal[] = []
    const run = fanOut([1, 2, 3], (_n, signal) => {
      signals.push(signal)
      return new Promise<number>(() => {})
    }, { concurrency: 3, signal: controller.signal, scheduler: time.scheduler })
    await time.advanceBy(1)
    controller.abort()
    const outcome = await settleWithin(time, run)
    expect(signals).toHaveLength(3)
    expect(signals.every((s) => s.aborted)).toBe(true)
    expect(outcome).toMatchObject({ aborted: true, ok: false })
    expect(outcome.failures).toHaveLength(3)
  })

  it('refuses an unbounded concurrency with a ConfigError', () => {
    expect(() => fanOut([1], (n) => n, { concurrency: Infinity })).toThrow(ConfigError)
    expect(() => fanOut([1], (n) => n, { concurrency: 0 })).toThrow('`concurrency`')
    expect(() => fanOut([1], null as never)).toThrow('`fn`')
  })
})
