import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_WEIGHTS, sanitizeFeedback, scoreLoad } from '../src/feedback.ts'
import type { LoadFeedback } from '../src/feedback.ts'

const runs = { numRuns: 300, seed: 20261123 } as const

describe('scoreLoad', () => {
  it('weighs cpu .4 and errorRate .3: { cpu: .5, errorRate: .1 } scores .23', () => {
    expect(scoreLoad({ cpu: 0.5, errorRate: 0.1 })).toBeCloseTo(0.23, 10)
  })

  it('scores 0 for an empty feedback', () => {
    expect(scoreLoad({})).toBe(0)
  })

  it('normalises queueDepth by a queueCapacity of 100 by default, capped at 1, weighed .2', () => {
    expect(scoreLoad({ queueDepth: 50 })).toBeCloseTo(0.1, 10)
    expect(scoreLoad({ queueDepth: 100 })).toBeCloseTo(0.2, 10)
    expect(scoreLoad({ queueDepth: 5000 })).toBeCloseTo(0.2, 10)
  })

  it('prefers the feedback own queueCapacity, then the option', () => {
    expect(scoreLoad({ queueDepth: 500, queueCapacity: 1000 })).toBeCloseTo(0.1, 10)
    expect(scoreLoad({ queueDepth: 5 }, { queueCapacity: 10 })).toBeCloseTo(0.1, 10)
    expect(scoreLoad({ queueDepth: 5, queueCapacity: 50 }, { queueCapacity: 10 })).toBeCloseTo(0.02, 10)
  })

  it('normalises locks by a locksCapacity of 50 by default, capped at 1, weighed .1', () => {
    expect(scoreLoad({ locks: 25 })).toBeCloseTo(0.05, 10)
    expect(scoreLoad({ locks: 500 })).toBeCloseTo(0.1, 10)
    expect(scoreLoad({ locks: 5 }, { locksCapacity: 10 })).toBeCloseTo(0.05, 10)
  })

  it('uses custom weights, a part left out weighing 0', () => {
    expect(scoreLoad({ cpu: 0.5, errorRate: 1 }, { weights: { cpu: 1 } })).toBeCloseTo(0.5, 10)
    expect(scoreLoad({ queueDepth: 50, locks: 50 }, { weights: { queueDepth: 0.5, locks: 0.5 } })).toBeCloseTo(0.75, 10)
  })

  it('adds custom metrics by their weight', () => {
    expect(scoreLoad({ cpu: 0.5, custom: { replicationLag: { value: 0.5, weight: 0.2 } } })).toBeCloseTo(0.3, 10)
  })

  it('caps the total at 1', () => {
    const saturated: LoadFeedback = { cpu: 1, errorRate: 1, queueDepth: 1e6, locks: 1e6, custom: { disk: { value: 1, weight: 1 } } }
    expect(scoreLoad(saturated)).toBe(1)
    expect(scoreLoad({ cpu: 1 }, { weights: { cpu: 3 } })).toBe(1)
  })

  it('counts non-finite parts as 0 when handed unsanitized feedback', () => {
    expect(scoreLoad({ cpu: Number.NaN, errorRate: Infinity, queueDepth: -5, latencyMs: Infinity })).toBe(0)
  })

  it('has the weights of the design as defaults', () => {
    expect(DEFAULT_WEIGHTS).toEqual({ cpu: 0.4, errorRate: 0.3, queueDepth: 0.2, locks: 0.1 })
  })

  it('stays in 0..1 for any sanitized feedback', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const score = scoreLoad(sanitizeFeedback(input).feedback)
        expect(score).toBeGreaterThanOrEqual(0)
        expect(score).toBeLessThanOrEqual(1)
      }),
      runs,
    )
  })

  it('never falls when any part rises', () => {
    const part = fc.double({ min: 0, max: 1e4, noNaN: true })
    fc.assert(
      fc.property(fc.tuple(part, part, part, part), fc.tuple(part, part, part, part), ([cpu, errorRate, queueDepth, locks], raise) => {
        const less = { cpu: Math.min(1, cpu / 1e4), errorRate: Math.min(1, errorRate / 1e4), queueDepth, locks }
        const more = {
          cpu: Math.min(1, less.cpu + raise[0] / 1e4),
          errorRate: Math.min(1, less.errorRate + raise[1] / 1e4),
          queueDepth: queueDepth + raise[2],
          locks: locks + raise[3],
        }
        expect(scoreLoad(more)).toBeGreaterThanOrEqual(scoreLoad(less))
      }),
      runs,
    )
  })
})

describe('sanitizeFeedback', () => {
  it('keeps a valid feedback as it is, counting nothing', () => {
    const feedback: LoadFeedback = { cpu: 0.4, errorRate: 0, queueDepth: 12, queueCapacity: 200, locks: 3, latencyMs: 85, custom: { lag: { value: 0.2, weight: 0.1 } } }
    expect(sanitizeFeedback(feedback)).toEqual({ feedback, rejected: 0 })
  })

  it('drops NaN and infinities and counts each', () => {
    expect(sanitizeFeedback({ cpu: Number.NaN, latencyMs: Infinity, queueDepth: -Infinity, errorRate: 0.1 })).toEqual({
      feedback: { errorRate: 0.1 },
      rejected: 3,
    })
  })

  it('clamps out-of-range values and counts each', () => {
    expect(sanitizeFeedback({ cpu: 1.5, errorRate: -0.2, queueDepth: -3, locks: -1, latencyMs: -10 })).toEqual({
      feedback: { cpu: 1, errorRate: 0, queueDepth: 0, locks: 0, latencyMs: 0 },
      rejected: 5,
    })
  })

  it('drops values that are not numbers and counts each', () => {
    expect(sanitizeFeedback({ cpu: '0.5', locks: null, latencyMs: 20 })).toEqual({ feedback: { latencyMs: 20 }, rejected: 2 })
  })

  it('drops a queueCapacity that is not a number > 0', () => {
    expect(sanitizeFeedback({ queueDepth: 5, queueCapacity: 0 })).toEqual({ feedback: { queueDepth: 5 }, rejected: 1 })
    expect(sanitizeFeedback({ queueCapacity: Number.NaN })).toEqual({ feedback: {}, rejected: 1 })
  })

  it('drops invalid custom metrics and clamps their values into 0..1', () => {
    const { feedback, rejected } = sanitizeFeedback({
      custom: { good: { value: 0.5, weight: 1 }, high: { value: 2, weight: 1 }, noWeight: { value: 0.5 }, negative: { value: 0.5, weight: -1 }, nan: { value: Number.NaN, weight: 1 } },
    })
    expect(feedback).toEqual({ custom: { good: { value: 0.5, weight: 1 }, high: { value: 1, weight: 1 } } })
    expect(rejected).toBe(4)
  })

  it('turns anything that is not an object into an empty feedback, counted once', () => {
    for (const input of [null, undefined, 'cpu=1', 42]) expect(sanitizeFeedback(input)).toEqual({ feedback: {}, rejected: 1 })
  })

  it('never throws, and leaves only finite values in range', () => {
    const wild = fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null), fc.constant(undefined))
    const input = fc.oneof(
      fc.anything(),
      fc.record({ cpu: wild, errorRate: wild, queueDepth: wild, queueCapacity: wild, locks: wild, latencyMs: wild, custom: fc.dictionary(fc.string(), fc.record({ value: wild, weight: wild })) }, { requiredKeys: [] }),
    )
    fc.assert(
      fc.property(input, (raw) => {
        const { feedback, rejected } = sanitizeFeedback(raw)
        expect(rejected).toBeGreaterThanOrEqual(0)
        for (const key of ['cpu', 'errorRate'] as const) {
          const value = feedback[key]
          if (value !== undefined) expect(value >= 0 && value <= 1).toBe(true)
        }
        for (const key of ['queueDepth', 'locks', 'latencyMs'] as const) {
          const value = feedback[key]
          if (value !== undefined) expect(Number.isFinite(value) && value >= 0).toBe(true)
        }
        if (feedback.queueCapacity !== undefined) expect(Number.isFinite(feedback.queueCapacity) && feedback.queueCapacity > 0).toBe(true)
        for (const metric of Object.values(feedback.custom ?? {})) {
          expect(metric.value >= 0 && metric.value <= 1 && Number.isFinite(metric.weight) && metric.weight >= 0).toBe(true)
        }
      }),
      runs,
    )
  })
})
