import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/errors.ts'
import { createRandom, hashToUnit } from '../../src/sim/index.ts'

const take = (seed: number, count: number) => {
  const random = createRandom(seed)
  return Array.from({ length: count }, () => random.next())
}

describe('createRandom', () => {
  it('gives the same sequence for the same seed', () => {
    expect(take(42, 100)).toEqual(take(42, 100))
  })

  it('gives a different sequence for a different seed', () => {
    expect(take(1, 100)).not.toEqual(take(2, 100))
  })

  it('draws uniform numbers in [0, 1)', () => {
    const values = take(7, 20_000)
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...values)).toBeLessThan(1)
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    expect(mean).toBeCloseTo(0.5, 1)
    const lowQuarter = values.filter((v) => v < 0.25).length / values.length
    expect(lowQuarter).toBeGreaterThan(0.23)
    expect(lowQuarter).toBeLessThan(0.27)
  })

  it('draws standard normal numbers', () => {
    const random = createRandom(3)
    const values = Array.from({ length: 20_000 }, () => random.normal())
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length)
    expect(values.every(Number.isFinite)).toBe(true)
    expect(Math.abs(mean)).toBeLessThan(0.05)
    expect(sd).toBeGreaterThan(0.95)
    expect(sd).toBeLessThan(1.05)
  })

  it('draws integers below the bound, and 0 for a bound of 1 or less', () => {
    const random = createRandom(5)
    const values = Array.from({ length: 1000 }, () => random.int(6))
    expect(new Set(values)).toEqual(new Set([0, 1, 2, 3, 4, 5]))
    expect(random.int(1)).toBe(0)
    expect(random.int(0)).toBe(0)
  })

  it('truncates the seed to an unsigned 32-bit integer', () => {
    expect(createRandom(1 + 2 ** 32).seed).toBe(1)
    expect(take(1 + 2 ** 32, 5)).toEqual(take(1, 5))
  })

  it('refuses a seed that is not a finite number', () => {
    expect(() => createRandom(Number.NaN)).toThrow(ConfigError)
    expect(() => createRandom(Infinity)).toThrow(/Expected `seed` to be a finite number, got `Infinity`/)
  })
})

describe('hashToUnit', () => {
  it('depends only on seed, index and lane', () => {
    expect(hashToUnit(9, 123, 1)).toBe(hashToUnit(9, 123, 1))
    expect(hashToUnit(9, 123, 1)).not.toBe(hashToUnit(9, 123, 0))
    expect(hashToUnit(9, 123)).not.toBe(hashToUnit(10, 123))
    expect(hashToUnit(9, 123)).not.toBe(hashToUnit(9, 124))
  })

  it('tells apart indexes beyond 2^32', () => {
    expect(hashToUnit(1, 5)).not.toBe(hashToUnit(1, 5 + 2 ** 32))
  })

  it('is spread uniformly over [0, 1)', () => {
    const values = Array.from({ length: 20_000 }, (_, i) => hashToUnit(11, i))
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...values)).toBeLessThan(1)
    const buckets = new Array<number>(10).fill(0)
    for (const v of values) buckets[Math.floor(v * 10)]!++
    for (const count of buckets) {
      expect(count).toBeGreaterThan(1800)
      expect(count).toBeLessThan(2200)
    }
  })
})
