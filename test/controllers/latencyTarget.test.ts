import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { FeedbackSample } from '../../src/controllers/controller.ts'
import { latencyTarget } from '../../src/controllers/latencyTarget.ts'
import type { LatencyTargetOptions } from '../../src/controllers/latencyTarget.ts'
import { ConfigError } from '../../src/errors.ts'
import { checkKeepsBounds, checkMonotone, checkRecovers, latencyPairArb, sample, wide } from './properties.ts'

const decideAt = (batchSize: number, samples: FeedbackSample[], bounds = wide) =>
  latencyTarget({ targetMs: 100 }).decide({ target: { batchSize, concurrency: 2 }, samples, bounds, now: 0 }, null)

const latencies = (...ms: number[]) => ms.map((latencyMs) => sample({ latencyMs }))

describe('latencyTarget', () => {
  it('doubles when the mean latency is under half the target', () => {
    expect(decideAt(100, latencies(40, 45)).batchSize).toBe(200)
  })

  it('cuts to three quarters, rounded down, when the mean latency is over the target', () => {
    expect(decideAt(100, latencies(120)).batchSize).toBe(75)
    expect(decideAt(10, latencies(90, 130)).batchSize).toBe(7)
  })

  it('holds between half the target and the target, both edges included', () => {
    for (const ms of [50, 75, 100]) expect(decideAt(100, latencies(ms)).batchSize).toBe(100)
  })

  it('halves on any failed flush in the window, whatever the latency', () => {
    expect(decideAt(100, [...latencies(10, 10), sample({ latencyMs: 10 }, { failed: true })]).batchSize).toBe(50)
    expect(decideAt(7, [sample({}, { failed: true })]).batchSize).toBe(3)
  })

  it('holds when no sample reports a finite latency', () => {
    expect(decideAt(100, [sample({ cpu: 1 }), sample({ latencyMs: Number.NaN })]).batchSize).toBe(100)
  })

  it('clamps to the bounds and leaves concurrency alone', () => {
    const bounds = { size: { min: 80, max: 150 }, concurrency: { min: 1, max: 4 } }
    expect(decideAt(100, latencies(1), bounds)).toMatchObject({ batchSize: 150, concurrency: 2 })
    expect(decideAt(100, latencies(1000), bounds)).toMatchObject({ batchSize: 80, concurrency: 2 })
  })

  it('uses a 1 s cadence and the name latencyTarget', () => {
    expect(latencyTarget({ targetMs: 5 })).toMatchObject({ name: 'latencyTarget', intervalMs: 1000 })
  })

  it.each([
    [{ targetMs: 0 }, 'Expected `targetMs` to be a number > 0, got `0`'],
    [{ targetMs: -3 }, 'Expected `targetMs` to be a number > 0, got `-3`'],
    [{ targetMs: Number.NaN }, 'Expected `targetMs` to be a number > 0, got `NaN`'],
    [{}, 'Expected `targetMs` to be a number > 0, got `undefined`'],
    [{ targetMs: 100, intervalMs: 0 }, 'Expected `intervalMs` to be a number > 0, got `0`'],
  ])('refuses %j at creation', (options, message) => {
    expect(() => latencyTarget(options as LatencyTargetOptions)).toThrow(ConfigError)
    expect(() => latencyTarget(options as LatencyTargetOptions)).toThrow(message)
  })

  describe('properties', () => {
    const controllers = fc.double({ min: 10, max: 10_000, noNaN: true }).map((targetMs) => latencyTarget({ targetMs }))

    it('never leaves the bounds, whatever the feedback', () => checkKeepsBounds(controllers))

    it('never gives a larger size for more load from the same state', () => checkMonotone(controllers))

    it('never gives a larger size for a higher latency around the target', () =>
      checkMonotone(fc.constant(latencyTarget({ targetMs: 200 })), latencyPairArb(200)))

    it('recovers to the maximum size under zero load', () =>
      // latency under half of the smallest target: doubles every step, log2(5500) < 13
      checkRecovers(controllers, fc.double({ min: 0, max: 4.99, noNaN: true }), 20))
  })
})
