/**
 * Shared fast-check arbitraries and property checks for the controllers: every controller
 * test file runs the same three laws (bounds kept, monotone in load, recovers under zero
 * load) against its own options.
 */
import fc from 'fast-check'
import { expect } from 'vitest'
import type { Bounds, Controller, ControlTarget, FeedbackSample } from '../../src/controllers/controller.ts'
import { scoreLoad } from '../../src/feedback.ts'
import type { LoadFeedback } from '../../src/feedback.ts'

/** fast-check parameters of every controller property: a fixed seed keeps runs repeatable. */
export const runs = { numRuns: 250, seed: 20261123 } as const

/** A controller of any state type, as the properties drive it. */
export type AnyController = Controller<any>

/** The bounds a controller is driven within. */
export interface DriveBounds {
  readonly size: Bounds
  readonly concurrency: Bounds
}

/** The sane part of one observation, before it is scored: what "more load" compares. */
export interface Observation {
  readonly feedback: LoadFeedback
  readonly failed: boolean
  readonly source: 'flush' | 'monitor'
  readonly batchSize: number
}

export const boundsArb: fc.Arbitrary<DriveBounds> = fc
  .record({ sizeMin: fc.integer({ min: 1, max: 500 }), sizeSpan: fc.integer({ min: 0, max: 5000 }), cMin: fc.integer({ min: 1, max: 4 }), cSpan: fc.integer({ min: 0, max: 8 }) })
  .map(({ sizeMin, sizeSpan, cMin, cSpan }) => ({ size: { min: sizeMin, max: sizeMin + sizeSpan }, concurrency: { min: cMin, max: cMin + cSpan } }))

/** A target inside `bounds`. */
export function targetArb(bounds: DriveBounds): fc.Arbitrary<ControlTarget> {
  return fc.record({
    batchSize: fc.integer({ min: bounds.size.min, max: bounds.size.max }),
    concurrency: fc.integer({ min: bounds.concurrency.min, max: bounds.concurrency.max }),
  })
}

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })

/** Feedback within the ranges `sanitizeFeedback` lets through, including very large values. */
export const feedbackArb: fc.Arbitrary<LoadFeedback> = fc
  .record({
    cpu: optional(fc.double({ min: 0, max: 1, noNaN: true })),
    errorRate: optional(fc.double({ min: 0, max: 1, noNaN: true })),
    queueDepth: optional(fc.double({ min: 0, max: 1e9, noNaN: true })),
    locks: optional(fc.double({ min: 0, max: 1e6, noNaN: true })),
    latencyMs: optional(
      fc.oneof(
        { arbitrary: fc.double({ min: 0, max: 500, noNaN: true }), weight: 4 },
        { arbitrary: fc.double({ min: 0, max: 5000, noNaN: true }), weight: 4 },
        { arbitrary: fc.double({ min: 0, max: 1e12, noNaN: true }), weight: 1 },
      ),
    ),
  })
  .map(dropUndefined)

export const observationArb: fc.Arbitrary<Observation> = fc.record({
  feedback: feedbackArb,
  // mostly healthy, so that a failure does not decide every window on its own
  failed: fc.oneof({ arbitrary: fc.constant(false), weight: 19 }, { arbitrary: fc.constant(true), weight: 1 }),
  source: fc.constantFrom('flush' as const, 'monitor' as const),
  batchSize: fc.integer({ min: 0, max: 10_000 }),
})

/** How much one reported value rises: not at all, by an amount, or by a share of itself. */
const raiseArb = fc.record({
  by: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1e6, noNaN: true })),
  share: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 3, noNaN: true })),
})

/** An observation and one at least as loaded: every reported value >= the first's, same fields, failure kept. */
export const dominatedPairArb: fc.Arbitrary<readonly [Observation, Observation]> = fc
  .tuple(observationArb, fc.array(raiseArb, { minLength: 5, maxLength: 5 }), fc.boolean())
  .map(([less, raises, fails]) => {
    const raise = (value: number | undefined, index: number, cap: number) => {
      const { by = 0, share = 0 } = raises[index] ?? {}
      return value === undefined ? undefined : Math.min(cap, value + by + value * share)
    }
    const feedback = dropUndefined({
      cpu: raise(less.feedback.cpu, 0, 1),
      errorRate: raise(less.feedback.errorRate, 1, 1),
      queueDepth: raise(less.feedback.queueDepth, 2, Infinity),
      locks: raise(less.feedback.locks, 3, Infinity),
      latencyMs: raise(less.feedback.latencyMs, 4, Infinity),
    })
    return [less, { ...less, feedback, failed: less.failed || (fails && less.batchSize % 4 === 0) }] as const
  })

/**
 * A pair of healthy flush observations that differ only in latency, drawn around `scaleMs`,
 * so that thresholds at that scale (a latency target, a tolerance) are crossed often.
 */
export function latencyPairArb(scaleMs: number): fc.Arbitrary<readonly [Observation, Observation]> {
  return fc
    .tuple(fc.double({ min: 0, max: 3 * scaleMs, noNaN: true }), fc.oneof(fc.constant(0), fc.double({ min: 0, max: 2 * scaleMs, noNaN: true })), fc.integer({ min: 0, max: 10_000 }))
    .map(([latencyMs, rise, batchSize]) => [
      { feedback: { latencyMs }, failed: false, source: 'flush' as const, batchSize },
      { feedback: { latencyMs: latencyMs + rise }, failed: false, source: 'flush' as const, batchSize },
    ] as const)
}

/** A sample with any numbers at all, NaN and infinities included: what a careless caller might pass. */
export const wildSampleArb: fc.Arbitrary<FeedbackSample> = fc.record({
  at: fc.double(),
  feedback: fc
    .record({ cpu: optional(fc.double()), errorRate: optional(fc.double()), queueDepth: optional(fc.double()), locks: optional(fc.double()), latencyMs: optional(fc.double()), queueCapacity: optional(fc.double()) })
    .map(dropUndefined),
  score: fc.double(),
  source: fc.constantFrom('flush' as const, 'monitor' as const),
  failed: fc.boolean(),
  batchSize: fc.oneof(fc.integer(), fc.double()),
})

/** Turns observations into the samples of one window at step `step`, scored as the batcher would. */
export function toWindow(controller: AnyController, observations: readonly Observation[], step: number): FeedbackSample[] {
  const score = (feedback: LoadFeedback) => controller.score?.(feedback) ?? scoreLoad(feedback)
  return observations.map((o, i) => ({ ...o, at: step * 1000 + i * 10, score: score(o.feedback) }))
}

/** Runs `windows` through the controller from `target`, as the batcher does, and returns where it ended. */
export function drive(controller: AnyController, bounds: DriveBounds, target: ControlTarget, windows: readonly (readonly Observation[])[]) {
  let state = controller.initialState()
  let current = target
  windows.forEach((observations, step) => {
    if (observations.length === 0) return
    const decision = controller.decide({ target: current, samples: toWindow(controller, observations, step), bounds, now: step * 1000 + 999 }, state)
    state = decision.state
    current = { batchSize: clamp(decision.batchSize, bounds.size), concurrency: clamp(decision.concurrency, bounds.concurrency) }
  })
  return { target: current, state, step: windows.length }
}

function clamp(value: number, bounds: Bounds): number {
  return Math.min(bounds.max, Math.max(bounds.min, value))
}

const windowArb = fc.array(observationArb, { minLength: 1, maxLength: 10 })

/**
 * Law: whatever the input (wild numbers, any state reached before), the decision stays in
 * bounds and is an integer. With `wildTargets` (the default) the target handed in may itself
 * be out of bounds or not a number, as when bounds changed under the controller.
 */
export function checkKeepsBounds(makeController: fc.Arbitrary<AnyController>, { wildTargets = true } = {}): void {
  fc.assert(
    fc.property(
      makeController,
      boundsArb.chain((bounds) => fc.tuple(fc.constant(bounds), targetArb(bounds), fc.array(windowArb, { maxLength: 6 }), fc.array(wildSampleArb, { minLength: 1, maxLength: 10 }))),
      wildTargets ? fc.oneof(fc.constant(undefined), fc.double()) : fc.constant(undefined),
      (controller, [bounds, target, history, wild], wildSize) => {
        const reached = drive(controller, bounds, target, history)
        const start = wildSize === undefined ? reached.target : { ...reached.target, batchSize: wildSize }
        const decision = controller.decide({ target: start, samples: wild, bounds, now: reached.step * 1000 }, reached.state)
        for (const [value, range] of [[decision.batchSize, bounds.size], [decision.concurrency, bounds.concurrency]] as const) {
          expect(Number.isInteger(value)).toBe(true)
          expect(value).toBeGreaterThanOrEqual(range.min)
          expect(value).toBeLessThanOrEqual(range.max)
        }
      },
    ),
    runs,
  )
}

/**
 * Law: from the same state, a window with more load never gives a larger size (or
 * concurrency) than one with less. `pairs` draws (less, more) observations; by default any
 * feedback against feedback with every value raised.
 */
export function checkMonotone(makeController: fc.Arbitrary<AnyController>, pairs: fc.Arbitrary<readonly [Observation, Observation]> = dominatedPairArb): void {
  fc.assert(
    fc.property(
      makeController,
      boundsArb.chain((bounds) => fc.tuple(fc.constant(bounds), targetArb(bounds), fc.array(windowArb, { maxLength: 6 }), fc.array(pairs, { minLength: 1, maxLength: 10 }))),
      (controller, [bounds, target, history, pairs]) => {
        const reached = drive(controller, bounds, target, history)
        const decideWith = (observations: Observation[]) =>
          controller.decide({ target: reached.target, samples: toWindow(controller, observations, reached.step), bounds, now: reached.step * 1000 + 999 }, reached.state)
        const calm = decideWith(pairs.map(([less]) => less))
        const loaded = decideWith(pairs.map(([, more]) => more))
        expect(loaded.batchSize).toBeLessThanOrEqual(calm.batchSize)
        expect(loaded.concurrency).toBeLessThanOrEqual(calm.concurrency)
      },
    ),
    runs,
  )
}

/**
 * Law: from any state reached under any load, windows of full batches at zero load (no
 * failures, score 0, a steady latency from `latencyMs`) bring the size to its maximum
 * within `maxSteps`, and keep it there.
 */
export function checkRecovers(
  makeController: fc.Arbitrary<AnyController>,
  latencyMs: fc.Arbitrary<number>,
  maxSteps: number,
  expectConcurrency: (controller: AnyController) => boolean = () => false,
): void {
  fc.assert(
    fc.property(
      makeController,
      boundsArb.chain((bounds) => fc.tuple(fc.constant(bounds), targetArb(bounds), fc.array(windowArb, { maxLength: 6 }))),
      latencyMs,
      (controller, [bounds, target, history], steadyMs) => {
        let { target: current, state, step } = drive(controller, bounds, target, history)
        const withConcurrency = expectConcurrency(controller)
        let atMaxFor = 0
        for (let i = 0; i < maxSteps && atMaxFor < 3; i++, step++) {
          const idle: Observation[] = Array.from({ length: 10 }, () => ({
            feedback: { cpu: 0, errorRate: 0, queueDepth: 0, locks: 0, latencyMs: steadyMs },
            failed: false,
            source: 'flush',
            batchSize: current.batchSize,
          }))
          const decision = controller.decide({ target: current, samples: toWindow(controller, idle, step), bounds, now: step * 1000 + 999 }, state)
          state = decision.state
          current = { batchSize: decision.batchSize, concurrency: decision.concurrency }
          const atMax = current.batchSize === bounds.size.max && (!withConcurrency || current.concurrency === bounds.concurrency.max)
          atMaxFor = atMax ? atMaxFor + 1 : 0
        }
        expect(current.batchSize).toBe(bounds.size.max)
        expect(atMaxFor).toBe(3)
        if (withConcurrency) expect(current.concurrency).toBe(bounds.concurrency.max)
      },
    ),
    runs,
  )
}

/** A sample for exact cases: a flush of `batchSize` items with this feedback. */
export function sample(feedback: LoadFeedback, extra: Partial<FeedbackSample> = {}): FeedbackSample {
  return { at: 0, feedback, score: scoreLoad(feedback), source: 'flush', failed: false, batchSize: 100, ...extra }
}

/** Bounds for exact cases. */
export const wide: DriveBounds = { size: { min: 1, max: 1000 }, concurrency: { min: 1, max: 8 } }

function dropUndefined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T
}
