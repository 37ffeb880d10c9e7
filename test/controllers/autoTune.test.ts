import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { autoTune, type AutoTuneState } from '../../src/controllers/autoTune.ts'
import type { Bounds, ControlTarget, FeedbackSample } from '../../src/controllers/controller.ts'
import { ConfigError } from '../../src/errors.ts'
import { checkKeepsBounds, runs } from './properties.ts'

/** A synthetic backend: a call of n items with k in flight takes `(c0 + c1·n) · (1 + (k·n / room)²)` ms. */
interface CostCurve {
  readonly c0: number
  readonly c1: number
  readonly room: number
}

const latencyOf = (curve: CostCurve, n: number, k: number) => (curve.c0 + curve.c1 * n) * (1 + ((k * n) / curve.room) ** 2)
const goodputOf = (curve: CostCurve, n: number, k: number) => (k * n * 1000) / latencyOf(curve, n, k)

/** The best (n, k) of a curve within bounds, by brute force. */
function bestOf(curve: CostCurve, bounds: { size: Bounds; concurrency: Bounds }): number {
  let best = 0
  for (let k = bounds.concurrency.min; k <= bounds.concurrency.max; k++) {
    for (let n = bounds.size.min; n <= bounds.size.max; n++) best = Math.max(best, goodputOf(curve, n, k))
  }
  return best
}

/**
 * Drives autoTune against `curve` as the batcher would: each round, every slot completes two
 * flushes of the current target, and the controller decides once. Returns the targets after
 * each round. `failing(target)` says whether that round's flushes time out.
 */
function drive(curve: CostCurve, bounds: { size: Bounds; concurrency: Bounds }, start: ControlTarget, rounds: number, failing: (t: ControlTarget) => boolean = () => false) {
  const controller = autoTune()
  let state: AutoTuneState = controller.initialState()
  let target = start
  let now = 0
  let seq = 0
  const targets: ControlTarget[] = []
  for (let round = 0; round < rounds; round++) {
    const ms = latencyOf(curve, target.batchSize, target.concurrency)
    const fail = failing(target)
    const samples: FeedbackSample[] = Array.from({ length: Math.max(8, 2 * target.concurrency) }, () => ({
      at: now + ms, seq: ++seq, source: 'flush', failed: fail, batchSize: target.batchSize, score: 0,
      feedback: fail ? { errorRate: 1 } : { latencyMs: ms }, durationMs: ms, inFlight: target.concurrency, trigger: 'size', attempt: 1,
      ...(fail ? { errorKind: 'timeout' as const } : {}),
    }))
    now += ms
    const decision = controller.decide({ target, samples, bounds, now }, state)
    state = decision.state
    target = { batchSize: decision.batchSize, concurrency: decision.concurrency }
    expect(decision.reason?.from).toBeDefined()
    targets.push(target)
  }
  return targets
}

const curveArb = fc.record({
  c0: fc.double({ min: 2, max: 50, noNaN: true }),
  c1: fc.double({ min: 0.001, max: 0.5, noNaN: true }),
  room: fc.double({ min: 50, max: 20_000, noNaN: true }),
})
const bounds = { size: { min: 1, max: 2000 }, concurrency: { min: 1, max: 8 } }

describe('autoTune', () => {
  it('keeps every decision within bounds, whatever it is fed', () => {
    checkKeepsBounds(fc.constant(autoTune()))
  })

  it('converges on a synthetic cost curve to ≥ 0.8 of its best goodput within 100 adjustments (each dimension stops within its 10 % band), from the smallest setting', () => {
    fc.assert(
      fc.property(curveArb, (curve) => {
        const targets = drive(curve, bounds, { batchSize: 1, concurrency: 1 }, 100)
        const end = targets.at(-1)!
        expect(goodputOf(curve, end.batchSize, end.concurrency)).toBeGreaterThanOrEqual(0.8 * bestOf(curve, bounds))
      }),
      { ...runs, numRuns: 60 },
    )
  })

  it('grows size and concurrency to their maximum (within its 10 % band) when the backend never slows down', () => {
    const targets = drive({ c0: 20, c1: 0.01, room: Infinity }, bounds, { batchSize: 10, concurrency: 1 }, 40)
    const end = targets.at(-1)!
    expect(end.concurrency).toBe(8)
    // 1810 → 2000 would add 5 % goodput: inside the band, so it may stop short of the bound
    expect(goodputOf({ c0: 20, c1: 0.01, room: Infinity }, end.batchSize, 8)).toBeGreaterThanOrEqual(0.9 * goodputOf({ c0: 20, c1: 0.01, room: Infinity }, 2000, 8))
  })

  it('does not flap in a steady state: after converging, at most a few probes move it', () => {
    fc.assert(
      fc.property(curveArb, (curve) => {
        const targets = drive(curve, bounds, { batchSize: 1, concurrency: 1 }, 260)
        const late = targets.slice(60)
        const changes = late.filter((t, i) => i > 0 && (t.batchSize !== late[i - 1]!.batchSize || t.concurrency !== late[i - 1]!.concurrency)).length
        // settled: a probe and its return every 8 × 2^failures epochs at most
        expect(changes).toBeLessThanOrEqual(30)
      }),
      { ...runs, numRuns: 40 },
    )
  })

  it('shrinks the items in flight at once on overload (timeouts), batches first, and never grows on it', () => {
    fc.assert(
      fc.property(curveArb, fc.integer({ min: 5, max: 40 }), (curve, rounds) => {
        const targets = drive(curve, bounds, { batchSize: 1, concurrency: 1 }, rounds)
        const before = targets.at(-1)!
        const after = drive(curve, bounds, before, 1, () => true)[0]!
        expect(after.batchSize).toBeLessThanOrEqual(before.batchSize)
        expect(after.concurrency).toBeLessThanOrEqual(before.concurrency)
        if (before.batchSize > 1) expect(after.batchSize).toBeLessThan(before.batchSize)
      }),
      { ...runs, numRuns: 60 },
    )
  })

  it('recovers at once after a stall has passed: straight back near the setting the cut came from, not a climb from the bottom', () => {
    fc.assert(
      fc.property(curveArb, fc.integer({ min: 20, max: 40 }), (curve, settle) => {
        let round = 0
        // Timeouts for three rounds after `settle`, as a burst of other clients' load would cause; healthy before and after.
        const targets = drive(curve, bounds, { batchSize: 1, concurrency: 1 }, settle + 8, () => {
          round++
          return round > settle && round <= settle + 3
        })
        const before = targets[settle - 1]!
        const cut = targets[settle]!
        fc.pre(cut.batchSize * cut.concurrency < before.batchSize * before.concurrency)
        // Within two healthy rounds after the burst, the items in flight are back near where they were (recovery aims a little under).
        const inFlight = (t: ControlTarget) => t.batchSize * t.concurrency
        expect(Math.max(...targets.slice(settle + 3, settle + 6).map(inFlight))).toBeGreaterThanOrEqual(0.5 * inFlight(before))
      }),
      { ...runs, numRuns: 40 },
    )
  })

  it('names every decision: rule, old → new, inputs', () => {
    const controller = autoTune()
    const decision = controller.decide({
      target: { batchSize: 10, concurrency: 2 }, bounds, now: 100,
      samples: [{ at: 100, seq: 1, source: 'flush', failed: true, batchSize: 10, score: 0, feedback: { errorRate: 1 }, durationMs: 100, inFlight: 2, errorKind: 'timeout' }],
    }, controller.initialState())
    expect(decision.reason).toMatchObject({ rule: 'overload', from: { batchSize: 10, concurrency: 2 }, to: { batchSize: 3, concurrency: 2 } }) // items in flight × 0.25, the batches first
    expect(decision.reason!.text).toMatch(/overrun/)
  })

  it('lets errors that are not load (too large, bad item, fatal) leave the target alone', () => {
    const controller = autoTune()
    for (const errorKind of ['tooLarge', 'badItem', 'fatal'] as const) {
      const decision = controller.decide({
        target: { batchSize: 10, concurrency: 2 }, bounds, now: 100,
        samples: [{ at: 100, seq: 1, source: 'flush', failed: true, batchSize: 10, score: 0, feedback: { errorRate: 1 }, durationMs: 100, inFlight: 2, errorKind }],
      }, controller.initialState())
      expect([decision.batchSize, decision.concurrency, decision.reason!.rule]).toEqual([10, 2, 'measuring'])
    }
  })

  it('rejects bad options with a ConfigError naming the field', () => {
    expect(() => autoTune({ band: 0 })).toThrow(ConfigError)
    expect(() => autoTune({ targetLatencyMs: -1 })).toThrow(/targetLatencyMs/)
    expect(() => autoTune({ minFlushes: 1.5 })).toThrow(/minFlushes/)
  })
})
