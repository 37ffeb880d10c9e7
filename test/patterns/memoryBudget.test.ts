import { describe, expect, it } from 'vitest'
import { AbortError, ConfigError } from '../../src/index.ts'
import { memoryBudget } from '../../src/patterns/memoryBudget.ts'

describe('memoryBudget', () => {
  it('admits work while it fits and holds back the rest, first come first served', async () => {
    const budget = memoryBudget({ maxInFlightBytes: 100 })
    const order: string[] = []
    await budget.acquire(60)
    const big = budget.acquire(50).then(() => order.push('big'))
    const small = budget.acquire(10).then(() => order.push('small')) // fits, but waits behind `big`
    await Promise.resolve()
    expect(order).toEqual([])
    expect(budget.waiting).toBe(2)
    budget.release(60)
    await Promise.all([big, small])
    expect(order).toEqual(['big', 'small'])
    expect(budget.held).toBe(60)
  })

  it('lets a request heavier than the whole budget through alone, so it never waits for ever', async () => {
    const budget = memoryBudget({ maxInFlightBytes: 10 })
    await budget.acquire(500)
    let second = false
    const next = budget.acquire(1).then(() => (second = true))
    await Promise.resolve()
    expect(second).toBe(false)
    budget.release(500)
    await next
    expect(budget.held).toBe(1)
  })

  it('calls onWait once when a request has to wait (so a partial batch can be cut)', async () => {
    const budget = memoryBudget({ maxInFlightBytes: 10 })
    let waits = 0
    await budget.acquire(10, { onWait: () => waits++ })
    expect(waits).toBe(0)
    const pending = budget.acquire(5, { onWait: () => waits++ })
    expect(waits).toBe(1)
    budget.release(10)
    await pending
  })

  it('rejects an aborted wait with AbortError and lets those behind it in', async () => {
    const budget = memoryBudget({ maxInFlightBytes: 10 })
    await budget.acquire(8)
    const controller = new AbortController()
    const blocked = budget.acquire(5, { signal: controller.signal })
    controller.abort('gave up')
    await expect(blocked).rejects.toBeInstanceOf(AbortError)
    expect(budget.waiting).toBe(0)
    await budget.acquire(2)
    expect(budget.held).toBe(10)
  })

  it('counts a weight that is not a finite number >= 0 as 0, and refuses a budget <= 0', async () => {
    const budget = memoryBudget({ maxInFlightBytes: 1 })
    await budget.acquire(Number.NaN)
    await budget.acquire(-5)
    expect(budget.held).toBe(0)
    expect(() => memoryBudget({ maxInFlightBytes: 0 })).toThrow(ConfigError)
    expect(() => memoryBudget({ maxInFlightBytes: 0 })).toThrow('`maxInFlightBytes`')
  })
})
