import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { FeedbackSample } from '../../src/controllers/controller.ts'
import { gradient } from '../../src/controllers/gradient.ts'
import type { GradientOptions, GradientState } from '../../src/controllers/gradient.ts'
import { ConfigError } from '../../src/errors.ts'
import { checkKeepsBounds, checkMonotone, checkRecovers, latencyPairArb, sample, wide } from './properties.ts'

const fresh: GradientState = { longLatencyMs: null, estimate: null, lastSampleAt: null }

const decideAt = (batchSize: number, samples: FeedbackSample[], state: GradientState = fresh, options: GradientOptions = {}, bounds = wide) =>
  gradient(options).decide({ target: { batchSize, concurrency: 2 }, samples, bounds, now: 0 }, state)

/** Flushes of full batches (100 items) at the given latencies, at times 1, 2, 3 … */
const latencies = (...ms: number[]) => ms.map((latencyMs, i) => sample({ latencyMs }, { at: i + 1 }))

const optionsArb = fc.record({
  tolerance: fc.double({ min: 1, max: 3, noNaN: true }),
  smoothing: fc.double({ min: 0.05, max: 1, noNaN: true }),
  longWindow: fc.integer({ min: 1, max: 600 }),
})

describe('gradient', () => {
  it('grows by smoothing × sqrt(size) while latency is steady (gradient 1)', () => {
    // new = 100 × 1 + sqrt(100) = 110; smoothed: 100 × 0.8 + 110 × 0.2 = 102
    const decision = decideAt(100, latencies(50, 50))
    expect(decision.batchSize).toBe(102)
    expect(decision.state).toEqual({ longLatencyMs: 50, estimate: 102, lastSampleAt: 2 })
  })

  it('shrinks as the short-term latency climbs past tolerance × the long-term one', () => {
    // longWindow 3: each fresh sample keeps half the history. One fresh sample at 600 ms
    // against a long-term 50 ms: ratio = 50 × 0.5 / 600 + 0.5 = 0.5417, gradient = 1.5 × 0.5417 = 0.8125,
    // new = 100 × 0.8125 + 10 = 91.25, smoothed: 80 + 18.25 = 98.25
    const state: GradientState = { longLatencyMs: 50, estimate: 100, lastSampleAt: 0 }
    const decision = decideAt(100, latencies(600), state, { longWindow: 3 })
    expect(decision.batchSize).toBe(98)
    expect(decision.state.estimate).toBeCloseTo(98.25)
    expect(decision.state.longLatencyMs).toBeCloseTo(325)
  })

  it('never takes more than half of the size per step from latency alone (gradient >= 0.5)', () => {
    const state: GradientState = { longLatencyMs: 1, estimate: 100, lastSampleAt: 0 }
    const decision = decideAt(100, latencies(1e6), state, { smoothing: 1 })
    // new = 100 × 0.5 + 10 = 60
    expect(decision.batchSize).toBe(60)
  })

  it('halves at once, without smoothing, when a flush in the window failed', () => {
    expect(decideAt(100, [...latencies(10), sample({ latencyMs: 10 }, { failed: true, at: 5 })]).batchSize).toBe(50)
    expect(decideAt(100, [sample({}, { failed: true })]).batchSize).toBe(50)
  })

  it('holds when no sample reports a finite latency', () => {
    expect(decideAt(100, [sample({ cpu: 1 })]).batchSize).toBe(100)
  })

  it('counts a zero short-term latency as no queueing', () => {
    const state: GradientState = { longLatencyMs: 0, estimate: 100, lastSampleAt: 0 }
    expect(decideAt(100, latencies(0), state).batchSize).toBe(102)
  })

  it('decays the long-term latency by 10% once it is over twice the short-term one', () => {
    const state: GradientState = { longLatencyMs: 1000, estimate: 100, lastSampleAt: 0 }
    // longWindow 3, one fresh sample: long = 1000 × 0.5 + 100 × 0.5 = 550 > 2 × 100, so 495
    expect(decideAt(100, latencies(100), state, { longWindow: 3 }).state.longLatencyMs).toBeCloseTo(495)
  })

  it('folds only samples newer than the last adjustment into the long-term latency', () => {
    const state: GradientState = { longLatencyMs: 100, estimate: 100, lastSampleAt: 2 }
    // samples at 1 and 2 were seen already: nothing fresh, the long-term average stays
    const decision = decideAt(100, latencies(300, 300), state, { longWindow: 3 })
    expect(decision.state.longLatencyMs).toBe(100)
    expect(decision.state.lastSampleAt).toBe(2)
  })

  it('does not grow when every flush carried under half the size (app limited)', () => {
    const partial = [sample({ latencyMs: 5 }, { batchSize: 40, at: 1 }), sample({ latencyMs: 5 }, { batchSize: 49, at: 2 })]
    expect(decideAt(100, partial).batchSize).toBe(100)
    expect(decideAt(100, [...partial, sample({ latencyMs: 5 }, { batchSize: 50, at: 3 })]).batchSize).toBe(102)
    // a monitor sample says nothing about batch fill
    expect(decideAt(100, [sample({ latencyMs: 5 }, { source: 'monitor', batchSize: 0 })]).batchSize).toBe(102)
  })

  it('keeps the fractional estimate so a size of 1 still grows', () => {
    const controller = gradient()
    const bounds = { size: { min: 1, max: 100 }, concurrency: { min: 1, max: 1 } }
    let state = controller.initialState()
    let batchSize = 1
    const sizes: number[] = []
    for (let step = 0; step < 7; step++) {
      const decision = controller.decide(
        { target: { batchSize, concurrency: 1 }, samples: [sample({ latencyMs: 10 }, { at: step, batchSize })], bounds, now: step },
        state,
      )
      ;({ state, batchSize } = decision)
      sizes.push(batchSize)
    }
    // estimates 1.2, 1.42, 1.66, 1.92, 2.19, 2.49, 2.80: each step adds 0.2 × sqrt(estimate)
    expect(sizes).toEqual([1, 1, 2, 2, 2, 2, 3])
  })

  it('starts over from the target when the size was moved from outside', () => {
    const state: GradientState = { longLatencyMs: 50, estimate: 300.4, lastSampleAt: 0 }
    expect(decideAt(100, latencies(50), state).state.estimate).toBe(102)
  })

  it('uses a custom headroom, a negative one counting as 0', () => {
    expect(decideAt(100, latencies(50), fresh, { headroom: () => 50 }).batchSize).toBe(110)
    expect(decideAt(100, latencies(50), fresh, { headroom: () => -50 }).batchSize).toBe(100)
  })

  it('clamps to the bounds and leaves concurrency alone', () => {
    const bounds = { size: { min: 60, max: 101 }, concurrency: { min: 1, max: 4 } }
    expect(decideAt(100, latencies(50), fresh, {}, bounds)).toMatchObject({ batchSize: 101, concurrency: 2 })
    expect(decideAt(100, [sample({}, { failed: true })], fresh, {}, bounds)).toMatchObject({ batchSize: 60, concurrency: 2 })
  })

  it('uses a 1 s cadence and the name gradient', () => {
    expect(gradient()).toMatchObject({ name: 'gradient', intervalMs: 1000 })
  })

  it.each([
    [{ tolerance: 0.9 }, 'Expected `tolerance` to be a number >= 1, got `0.9`'],
    [{ smoothing: 0 }, 'Expected `smoothing` to be a number > 0 and <= 1, got `0`'],
    [{ smoothing: 1.5 }, 'Expected `smoothing` to be a number > 0 and <= 1, got `1.5`'],
    [{ longWindow: 0 }, 'Expected `longWindow` to be an integer >= 1, got `0`'],
    [{ longWindow: 2.5 }, 'Expected `longWindow` to be an integer >= 1, got `2.5`'],
    [{ headroom: 3 }, 'Expected `headroom` to be a function of the size, got `3`'],
    [{ intervalMs: -1 }, 'Expected `intervalMs` to be a number > 0, got `-1`'],
  ])('refuses %j at creation', (options, message) => {
    expect(() => gradient(options as GradientOptions)).toThrow(ConfigError)
    expect(() => gradient(options as GradientOptions)).toThrow(message)
  })

  describe('properties', () => {
    const controllers = optionsArb.map((options) => gradient(options))

    it('never leaves the bounds, whatever the feedback', () => checkKeepsBounds(controllers))

    it('never gives a larger size for more load from the same state', () => checkMonotone(controllers))

    it('never gives a larger size for a higher short-term latency', () => checkMonotone(controllers, latencyPairArb(1000)))

    it('recovers to the maximum size under zero load', () =>
      // growth is smoothing × sqrt(size) a step once the long-term latency has caught up:
      // 2 × sqrt(5500) / 0.05 ≈ 3000 steps at worst
      checkRecovers(controllers, fc.double({ min: 0, max: 5000, noNaN: true }), 6000))
  })
})
