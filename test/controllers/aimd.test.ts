import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { aimd } from '../../src/controllers/aimd.ts'
import type { AimdOptions, AimdState } from '../../src/controllers/aimd.ts'
import type { FeedbackSample } from '../../src/controllers/controller.ts'
import { ConfigError } from '../../src/errors.ts'
import { checkKeepsBounds, checkMonotone, checkRecovers, latencyPairArb, sample, wide } from './properties.ts'

const fresh: AimdState = { lastLatencyMs: null }

const decideAt = (batchSize: number, samples: FeedbackSample[], state: AimdState = fresh, options: AimdOptions = {}, bounds = wide) =>
  aimd(options).decide({ target: { batchSize, concurrency: 3 }, samples, bounds, now: 0 }, state)

const optionsArb = fc.record({
  increase: fc.integer({ min: 1, max: 100 }),
  decrease: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
  threshold: fc.double({ min: 0, max: 1, noNaN: true }),
  latencyTolerance: fc.double({ min: 1, max: 3, noNaN: true }),
})

describe('aimd', () => {
  it('adds `increase` items (10 by default) when the window is healthy', () => {
    expect(decideAt(100, [sample({ cpu: 0.2, latencyMs: 50 })]).batchSize).toBe(110)
    expect(decideAt(100, [sample({ cpu: 0.2 })], fresh, { increase: 25 }).batchSize).toBe(125)
  })

  it('halves (decrease 0.5, rounded down) when a flush in the window failed', () => {
    expect(decideAt(100, [sample({}), sample({}, { failed: true })]).batchSize).toBe(50)
    expect(decideAt(3, [sample({}, { failed: true })]).batchSize).toBe(1)
  })

  it('multiplies when the mean score is above the threshold, not when it equals it', () => {
    expect(decideAt(100, [sample({}, { score: 0.8 })]).batchSize).toBe(50)
    expect(decideAt(100, [sample({}, { score: 0.7 })]).batchSize).toBe(110)
    expect(decideAt(100, [sample({}, { score: 0.8 })], fresh, { threshold: 0.9 }).batchSize).toBe(110)
    expect(decideAt(100, [sample({}, { score: 0.8 })], fresh, { decrease: 0.75 }).batchSize).toBe(75)
  })

  it('multiplies when latency rose by more than latencyTolerance since the last adjustment', () => {
    const before: AimdState = { lastLatencyMs: 100 }
    expect(decideAt(100, [sample({ latencyMs: 151 })], before).batchSize).toBe(50)
    expect(decideAt(100, [sample({ latencyMs: 150 })], before).batchSize).toBe(110)
    expect(decideAt(100, [sample({ latencyMs: 121 })], before, { latencyTolerance: 1.2 }).batchSize).toBe(50)
  })

  it('remembers the mean latency of the window, or the previous one when the window has none', () => {
    expect(decideAt(100, [sample({ latencyMs: 40 }), sample({ latencyMs: 80 }), sample({})]).state).toEqual({ lastLatencyMs: 60 })
    expect(decideAt(100, [sample({})], { lastLatencyMs: 70 }).state).toEqual({ lastLatencyMs: 70 })
  })

  it('clamps to the bounds and leaves concurrency alone', () => {
    const bounds = { size: { min: 20, max: 105 }, concurrency: { min: 1, max: 4 } }
    expect(decideAt(100, [sample({})], fresh, {}, bounds)).toMatchObject({ batchSize: 105, concurrency: 3 })
    expect(decideAt(30, [sample({}, { failed: true })], fresh, {}, bounds)).toMatchObject({ batchSize: 20, concurrency: 3 })
  })

  it('uses a 1 s cadence and the name aimd', () => {
    expect(aimd()).toMatchObject({ name: 'aimd', intervalMs: 1000 })
    expect(aimd().initialState()).toEqual({ lastLatencyMs: null })
  })

  it.each([
    [{ increase: 0 }, 'Expected `increase` to be an integer >= 1, got `0`'],
    [{ increase: 2.5 }, 'Expected `increase` to be an integer >= 1, got `2.5`'],
    [{ decrease: 1 }, 'Expected `decrease` to be a number > 0 and < 1, got `1`'],
    [{ decrease: 0 }, 'Expected `decrease` to be a number > 0 and < 1, got `0`'],
    [{ threshold: 1.1 }, 'Expected `threshold` to be a number in 0..1, got `1.1`'],
    [{ latencyTolerance: 0.9 }, 'Expected `latencyTolerance` to be a number >= 1, got `0.9`'],
    [{ intervalMs: 0 }, 'Expected `intervalMs` to be a number > 0, got `0`'],
  ])('refuses %j at creation', (options, message) => {
    expect(() => aimd(options)).toThrow(ConfigError)
    expect(() => aimd(options)).toThrow(message)
  })

  describe('properties', () => {
    const controllers = optionsArb.map((options) => aimd(options))

    it('never leaves the bounds, whatever the feedback', () => checkKeepsBounds(controllers))

    it('never gives a larger size for more load from the same state', () => checkMonotone(controllers))

    it('never gives a larger size for a higher latency than the last adjustment saw', () => checkMonotone(controllers, latencyPairArb(1000)))

    it('recovers to the maximum size under zero load', () =>
      checkRecovers(
        optionsArb.map((options) => aimd({ ...options, increase: Math.max(options.increase, 5) })),
        fc.double({ min: 0, max: 5000, noNaN: true }),
        // (5500 - 1) / 5 additive steps, plus one multiplicative step if the steady latency rose
        1200,
      ))
  })
})
