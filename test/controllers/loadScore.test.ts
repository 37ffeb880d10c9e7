import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { loadScore } from '../../src/controllers/loadScore.ts'
import type { LoadScoreOptions } from '../../src/controllers/loadScore.ts'
import { ConfigError } from '../../src/errors.ts'
import { boundsArb, checkKeepsBounds, checkMonotone, checkRecovers, runs, sample, targetArb, wide } from './properties.ts'

const decideAt = (options: LoadScoreOptions, batchSize: number, scores: number[], bounds = wide, concurrency = 2) =>
  loadScore(options).decide(
    { target: { batchSize, concurrency }, samples: scores.map((score) => sample({}, { score })), bounds, now: 0 },
    null,
  )

const optionsArb: fc.Arbitrary<LoadScoreOptions> = fc
  .record({
    band: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
    factor: fc.double({ min: 0.01, max: 1, noNaN: true }),
    concurrency: fc.boolean(),
    weights: fc.option(fc.record({ cpu: fc.double({ min: 0, max: 2, noNaN: true }), queueDepth: fc.double({ min: 0, max: 2, noNaN: true }), locks: fc.double({ min: 0, max: 2, noNaN: true }) }), { nil: undefined }),
    queueCapacity: fc.option(fc.double({ min: 1, max: 1e4, noNaN: true }), { nil: undefined }),
  })
  .map(({ band: [a, b], factor, concurrency, weights, queueCapacity }) => ({
    low: Math.min(a, b),
    high: Math.max(a, b),
    factor,
    concurrency,
    ...(weights ? { weights } : {}),
    ...(queueCapacity ? { queueCapacity } : {}),
  }))

describe('loadScore', () => {
  it('grows a size of 100 to 120 when the mean score is 0.1 (factor 0.2)', () => {
    expect(decideAt({}, 100, [0.1]).batchSize).toBe(120)
  })

  it('shrinks a size of 100 to 80 when the mean score is 0.8', () => {
    expect(decideAt({}, 100, [0.8]).batchSize).toBe(80)
  })

  it('holds inside the band, its edges included', () => {
    for (const score of [0.3, 0.5, 0.7]) expect(decideAt({}, 100, [score]).batchSize).toBe(100)
  })

  it('averages the scores of the window it is given', () => {
    // mean 0.7375: above high, although most samples are below it
    expect(decideAt({}, 100, [0.65, 0.65, 0.65, 1]).batchSize).toBe(80)
    expect(decideAt({}, 100, [0, 0, 0.6]).batchSize).toBe(120)
  })

  it('clamps at max when growing and at min when shrinking', () => {
    const bounds = { size: { min: 50, max: 110 }, concurrency: { min: 1, max: 4 } }
    expect(decideAt({}, 100, [0.1], bounds).batchSize).toBe(110)
    expect(decideAt({}, 55, [0.9], bounds).batchSize).toBe(50)
  })

  it('steps at least one item: a size of 3 with factor 0.2 grows to 4 and shrinks to 2', () => {
    expect(decideAt({}, 3, [0]).batchSize).toBe(4)
    expect(decideAt({}, 3, [1]).batchSize).toBe(2)
  })

  it('leaves concurrency alone by default and steps it by one with concurrency: true', () => {
    expect(decideAt({}, 100, [0.1]).concurrency).toBe(2)
    expect(decideAt({ concurrency: true }, 100, [0.1]).concurrency).toBe(3)
    expect(decideAt({ concurrency: true }, 100, [0.9]).concurrency).toBe(1)
    expect(decideAt({ concurrency: true }, 100, [0.9], wide, 1).concurrency).toBe(1)
    expect(decideAt({ concurrency: true }, 100, [0.5]).concurrency).toBe(2)
  })

  it('counts a score above 1 as 1', () => {
    // (0.6 × 3 + 1) / 4 = 0.7: on the band's edge, so it holds
    expect(decideAt({}, 100, [0.6, 0.6, 0.6, 1.2]).batchSize).toBe(100)
  })

  it('skips NaN scores and holds when none is left', () => {
    expect(decideAt({}, 100, [Number.NaN, 0.1]).batchSize).toBe(120)
    expect(decideAt({}, 100, [Number.NaN]).batchSize).toBe(100)
  })

  it('re-scores samples with its own weights and scores feedback with them', () => {
    const controller = loadScore({ weights: { cpu: 1 } })
    expect(controller.score?.({ cpu: 0.9, errorRate: 1 })).toBeCloseTo(0.9)
    // recorded with default weights the sample scores 0.36 + 0.3 = 0.66 (hold); cpu alone is 0.9
    const decision = controller.decide(
      { target: { batchSize: 100, concurrency: 1 }, samples: [sample({ cpu: 0.9, errorRate: 1 })], bounds: wide, now: 0 },
      null,
    )
    expect(decision.batchSize).toBe(80)
  })

  it('normalises queue depth and locks by its own capacities', () => {
    const controller = loadScore({ weights: { queueDepth: 1, locks: 1 }, queueCapacity: 10, locksCapacity: 4 })
    expect(controller.score?.({ queueDepth: 5 })).toBeCloseTo(0.5)
    expect(controller.score?.({ locks: 1 })).toBeCloseTo(0.25)
  })

  it('uses the default weights, a 5 s cadence and the name loadScore', () => {
    const controller = loadScore()
    expect(controller.name).toBe('loadScore')
    expect(controller.intervalMs).toBe(5000)
    expect(controller.score?.({ cpu: 0.5, errorRate: 0.1 })).toBeCloseTo(0.23)
  })

  it.each([
    [{ low: -0.1 }, 'Expected `low` to be a number in 0..1, got `-0.1`'],
    [{ low: 0.8, high: 0.5 }, 'Expected `high` to be a number in 0..1 and >= `low`, got `0.5`'],
    [{ high: 1.5 }, 'Expected `high` to be a number in 0..1 and >= `low`, got `1.5`'],
    [{ factor: 0 }, 'Expected `factor` to be a number > 0 and <= 1, got `0`'],
    [{ factor: Number.NaN }, 'Expected `factor` to be a number > 0 and <= 1, got `NaN`'],
    [{ intervalMs: Infinity }, 'Expected `intervalMs` to be a number > 0, got `Infinity`'],
    [{ weights: { cpu: -1 } }, 'Expected `weights.cpu` to be a number >= 0, got `-1`'],
    [{ queueCapacity: 0 }, 'Expected `queueCapacity` to be a number > 0, got `0`'],
    [{ locksCapacity: -5 }, 'Expected `locksCapacity` to be a number > 0, got `-5`'],
    [{ concurrency: 'yes' }, 'Expected `concurrency` to be a boolean, got `"yes"`'],
  ])('refuses %j at creation', (options, message) => {
    expect(() => loadScore(options as LoadScoreOptions)).toThrow(ConfigError)
    expect(() => loadScore(options as LoadScoreOptions)).toThrow(message)
  })

  describe('properties', () => {
    const controllers = optionsArb.map((options) => loadScore(options))

    it('never leaves the bounds, whatever the feedback', () => checkKeepsBounds(controllers))

    it('never gives a larger size or concurrency for more load from the same state', () => checkMonotone(controllers))

    it('recovers to the maximum size (and concurrency) under zero load', () => {
      const stepsConcurrency = new WeakSet<object>()
      const recovering = optionsArb
        .filter((o) => (o.low ?? 0.3) > 0)
        .map((options) => {
          const controller = loadScore(options)
          if (options.concurrency) stepsConcurrency.add(controller)
          return controller
        })
      // growth is one item a step below 1/factor items, then geometric by factor >= 0.01
      checkRecovers(recovering, fc.double({ min: 0, max: 5000, noNaN: true }), 1500, (controller) => stepsConcurrency.has(controller))
    })

    it('holds size and concurrency while the mean score stays inside the band', () => {
      fc.assert(
        fc.property(
          optionsArb.filter((o) => (o.high ?? 0.7) - (o.low ?? 0.3) > 1e-6),
          boundsArb.chain((bounds) => fc.tuple(fc.constant(bounds), targetArb(bounds))),
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 10 }),
          (options, [bounds, target], shares) => {
            const low = (options.low ?? 0.3) + 1e-9
            const high = (options.high ?? 0.7) - 1e-9
            const samples = shares.map((share) => sample({}, { score: low + share * (high - low) }))
            // band checks use the recorded score: only the default weighting keeps it as given
            const { weights: _w, queueCapacity: _q, ...banded } = options
            const decision = loadScore(banded).decide({ target, samples, bounds, now: 0 }, null)
            expect(decision.batchSize).toBe(target.batchSize)
            expect(decision.concurrency).toBe(target.concurrency)
          },
        ),
        runs,
      )
    })
  })
})
