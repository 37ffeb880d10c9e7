import { describe, expect, it } from 'vitest'
import {
  callLatencyMs,
  errorRateAt,
  expectedGoodput,
  lockWaitsAt,
  optimalBatchSize,
  resolveBackendOptions,
  slowdownAt,
  utilisationOf,
} from '../../src/sim/index.ts'

const model = resolveBackendOptions()
const backgrounds = Array.from({ length: 21 }, (_, i) => i / 20)

describe('utilisationOf', () => {
  it('adds the background to the share of capacity in flight', () => {
    expect(utilisationOf(0.3, 1000, model)).toBeCloseTo(0.8, 12)
    expect(utilisationOf(1.7, -5, model)).toBe(1)
    expect(utilisationOf(Number.NaN, 2000, model)).toBe(1)
  })
})

describe('slowdownAt', () => {
  it('is 1 when idle and the queueing factor 1 / (1 - u) below the knee', () => {
    expect(slowdownAt(0, model)).toBe(1)
    expect(slowdownAt(0.5, model)).toBeCloseTo(2, 12)
    expect(slowdownAt(0.9, model)).toBeCloseTo(10, 12)
  })

  it('joins the overload curve smoothly at the knee (value and slope)', () => {
    const knee = 1 - 1 / model.kneeSlowdown
    const h = 1e-7
    expect(slowdownAt(knee + h, model)).toBeCloseTo(slowdownAt(knee - h, model), 3)
    const slopeBelow = (slowdownAt(knee - h, model) - slowdownAt(knee - 2 * h, model)) / h
    const slopeAbove = (slowdownAt(knee + 2 * h, model) - slowdownAt(knee + h, model)) / h
    expect(slopeAbove / slopeBelow).toBeCloseTo(1, 3)
  })

  it('climbs steeply past capacity, with no pole at 1, then in proportion to utilisation', () => {
    const values = Array.from({ length: 300 }, (_, i) => slowdownAt(i / 200, model))
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!)
    expect(Number.isFinite(slowdownAt(1, model))).toBe(true)
    expect(slowdownAt(1, model)).toBeGreaterThan(50)
    expect(slowdownAt(1.1, model)).toBeGreaterThan(5 * slowdownAt(1, model))
    // Continuous where the steep climb gives way to proportional growth (found by bisection).
    let [below, above] = [1, 1.5]
    while (above - below > 1e-12) {
      const mid = (below + above) / 2
      if (slowdownAt(mid, model) >= model.saturationSlowdown) above = mid
      else below = mid
    }
    expect(slowdownAt(below, model)).toBeCloseTo(model.saturationSlowdown, 4)
    expect(slowdownAt(above, model)).toBeCloseTo(model.saturationSlowdown, 4)
    expect(slowdownAt(2, model)).toBeGreaterThan(model.saturationSlowdown)
    expect(slowdownAt(4, model) / slowdownAt(2, model)).toBeCloseTo(2, 9)
    expect(Number.isFinite(slowdownAt(1e6, model))).toBe(true)
  })
})

describe('errorRateAt and lockWaitsAt', () => {
  it('keep the base error rate and no lock waits at a comfortable load', () => {
    expect(errorRateAt(0.5, model)).toBe(0.001)
    expect(lockWaitsAt(0.5, model)).toBe(0)
  })

  it('rise past their onsets, and the error rate is capped', () => {
    expect(errorRateAt(1, model)).toBeCloseTo(0.301, 12)
    expect(errorRateAt(10, model)).toBe(0.95)
    expect(lockWaitsAt(0.8, model)).toBe(0)
    expect(lockWaitsAt(0.9, model)).toBe(25)
    // 50 at utilisation 1: the load score's default locksCapacity, so locks weigh fully once overrun.
    expect(lockWaitsAt(1, model)).toBe(50)
    expect(lockWaitsAt(1.3, model)).toBe(125)
  })
})

describe('the economics of batch size', () => {
  it('makes tiny batches waste per-call overhead and huge ones overrun: cost per item is U-shaped', () => {
    const load = { background: 0.2, concurrency: 4 }
    const msPerItem = (n: number) => 1000 / expectedGoodput(n, load, model)
    const best = optimalBatchSize({ ...load, maxSize: 2000 }, model).batchSize
    expect(msPerItem(1)).toBeGreaterThan(10 * msPerItem(best))
    expect(msPerItem(1000)).toBeGreaterThan(10 * msPerItem(best))
    // Falling to the optimum, rising after it.
    for (let n = 2; n <= best; n++) expect(msPerItem(n)).toBeLessThan(msPerItem(n - 1))
    for (let n = best + 1; n <= 1000; n++) expect(msPerItem(n)).toBeGreaterThan(msPerItem(n - 1))
  })

  it('puts the best size around 90 at low load and under 20 at high load, for 4 concurrent flushes', () => {
    const at = (background: number) => optimalBatchSize({ background, concurrency: 4 }, model).batchSize
    expect(at(0.2)).toBe(93)
    expect(at(0.5)).toBe(68)
    expect(at(0.9)).toBe(18)
    expect(at(1)).toBeLessThan(at(0.9))
  })

  it('moves the best size down as the background load rises, at every concurrency', () => {
    for (const concurrency of [1, 2, 4, 8]) {
      const sizes = backgrounds.map((background) => optimalBatchSize({ background, concurrency }, model).batchSize)
      for (let i = 1; i < sizes.length; i++) expect(sizes[i]!, `concurrency ${concurrency}`).toBeLessThanOrEqual(sizes[i - 1]!)
      expect(sizes[0]!).toBeGreaterThan(3 * sizes.at(-1)!)
    }
  })

  it('moves the best size up with the backend’s capacity and down with its per-item cost', () => {
    const base = optimalBatchSize({ background: 0.5 }, model).batchSize
    expect(optimalBatchSize({ background: 0.5 }, { capacity: 8000 }).batchSize).toBeGreaterThan(base)
    expect(optimalBatchSize({ background: 0.5 }, { perItemMs: 2 }).batchSize).toBeLessThan(base)
  })

  it('keeps the answer inside minSize..maxSize', () => {
    expect(optimalBatchSize({ background: 0.2, concurrency: 4, minSize: 5, maxSize: 50 }, model).batchSize).toBe(50)
    expect(optimalBatchSize({ background: 1, concurrency: 4, minSize: 20, maxSize: 100 }, model).batchSize).toBe(20)
  })

  it('charges the slowdown on the whole call', () => {
    expect(callLatencyMs(100, 0, model)).toBe(70)
    expect(callLatencyMs(100, 0.5, model)).toBeCloseTo(140, 9)
    expect(expectedGoodput(0, { background: 0 }, model)).toBe(0)
  })
})
