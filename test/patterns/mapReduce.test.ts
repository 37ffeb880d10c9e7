import { describe, expect, it } from 'vitest'
import { ConfigError, createVirtualTime } from '../../src/index.ts'
import { mapReduce } from '../../src/patterns/mapReduce.ts'
import { settleWithin, sleep } from './timing.ts'

describe('mapReduce', () => {
  it('extracts, maps in parallel and reduces the mapped values in input order', async () => {
    const time = createVirtualTime()
    const outcome = await settleWithin(
      time,
      mapReduce({
        extract: async () => ['b:2', 'a:1', 'b:5', 'a:4'],
        map: async (line: string) => {
          const [key, value] = line.split(':')
          await sleep(time, Number(value)) // later items finish first
          return { key: key!, value: Number(value) }
        },
        reduce: (mapped) => ({ order: mapped.map((m) => m.value), sums: mapped.reduce<Record<string, number>>((acc, m) => ({ ...acc, [m.key]: (acc[m.key] ?? 0) + m.value }), {}) }),
        concurrency: 4,
        scheduler: time.scheduler,
      }),
    )
    expect(outcome.result).toEqual({ order: [2, 1, 5, 4], sums: { a: 5, b: 7 } })
    expect(outcome).toMatchObject({ failures: [], count: 4, aborted: false })
  })

  it('reduces what succeeded and reports the items whose map failed (regression: the first error discarded every partial result)', async () => {
    const outcome = await mapReduce({
      extract: () => [1, 2, 3, 4, 5],
      map: (n: number) => {
        if (n === 3) throw new Error('corrupt row')
        return n * 10
      },
      reduce: (values) => values.reduce((a, b) => a + b, 0),
    })
    expect(outcome.result).toBe(10 + 20 + 40 + 50)
    expect(outcome.failures).toEqual([{ index: 2, item: 3, cause: new Error('corrupt row') }])
  })

  it('reads an async source from extract lazily with a bounded number of maps running', async () => {
    const time = createVirtualTime()
    let running = 0
    let peak = 0
    async function* numbers() {
      for (let i = 1; i <= 100; i++) yield i
    }
    const outcome = await settleWithin(
      time,
      mapReduce({
        extract: () => numbers(),
        map: async (n: number) => {
          running++
          peak = Math.max(peak, running)
          await sleep(time, 2)
          running--
          return n
        },
        reduce: (values) => values.reduce((a, b) => a + b, 0),
        concurrency: 3,
        scheduler: time.scheduler,
      }),
    )
    expect(outcome.result).toBe(5050)
    expect(peak).toBe(3)
  })

  it('rejects when reduce throws, and throws a ConfigError for a missing function', async () => {
    await expect(mapReduce({ extract: () => [1], map: (n) => n, reduce: () => { throw new Error('reduce failed') } })).rejects.toThrow('reduce failed')
    expect(() => mapReduce({ extract: () => [1], map: (n: number) => n } as never)).toThrow(ConfigError)
    expect(() => mapReduce({ extract: () => [1], map: (n: number) => n } as never)).toThrow('`reduce`')
  })
})
