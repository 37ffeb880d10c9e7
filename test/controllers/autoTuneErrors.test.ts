/**
 * autoTune and a loaded backend: a share of failing items counts as overload only past the
 * share healthy epochs showed, once a few flushes tell it from luck (a flood at once); slow
 * flushes at the least size and concurrency are the backend's new pace, not a stall to cut;
 * and a start step that met the knee turns the size down.
 */
import { describe, expect, it } from 'vitest'
import { autoTune, type AutoTuneState } from '../../src/controllers/autoTune.ts'
import { initialAutoTuneState } from '../../src/controllers/autoTuneState.ts'
import { failingShare, healthy } from './flushSamples.ts'

const bounds = { size: { min: 10, max: 1000 }, concurrency: { min: 1, max: 8 } }
const target = { batchSize: 100, concurrency: 4 }
/** Searching at 100 × 4, healthy flushes of 50 ms, nothing seen yet of this setting. */
const searching = (changes: Partial<AutoTuneState> = {}): AutoTuneState => ({
  ...initialAutoTuneState(1.5), dimension: 'size', setting: { size: 100, concurrency: 4 }, since: 0, seen: 0, healthyMs: 50, healthyItems: 100, healthySpread: 1.5, ...changes,
})

describe('autoTune and failing items', () => {
  it('learns the share of failing items of healthy epochs', () => {
    const controller = autoTune()
    // Eight flushes of which one lost 32 % of its items: 4 % in all, under the 5 % that is overload.
    const samples = [...healthy(target, 7, 50, 100), ...failingShare(target, 1, 0.32, 50, 100)]
    const decided = controller.decide({ target, samples, bounds, now: 100 }, searching())
    expect(decided.reason!.rule).not.toMatch(/^overload/)
    expect(decided.state.errorFloor).toBeCloseTo(0.3 * 0.04)
  })

  it('calls 12 % failing overload from a clean backend, but not from one whose healthy epochs already failed 10 %', () => {
    const controller = autoTune()
    const samples = failingShare(target, 4, 0.12, 50, 100)
    expect(controller.decide({ target, samples, bounds, now: 100 }, searching()).reason!.rule).toBe('overload')
    expect(controller.decide({ target, samples, bounds, now: 100 }, searching({ errorFloor: 0.1 })).reason!.rule).toBe('measuring')
  })

  it('waits for four flushes before a share counts, but acts on a flood (half failing) at once', () => {
    const controller = autoTune()
    expect(controller.decide({ target, samples: failingShare(target, 3, 0.3, 50, 100), bounds, now: 100 }, searching()).reason!.rule).toBe('measuring')
    expect(controller.decide({ target, samples: failingShare(target, 1, 0.5, 50, 100), bounds, now: 100 }, searching()).reason!.rule).toBe('overload')
  })
})

describe('autoTune slow at the floor', () => {
  it('does not cut failing flushes at the least size and concurrency: it learns their share', () => {
    const controller = autoTune()
    const floor = { batchSize: 10, concurrency: 1 }
    const state = searching({ setting: { size: 10, concurrency: 1 }, healthyItems: 10 })
    const held = controller.decide({ target: floor, samples: failingShare(floor, 4, 0.2, 50, 1000), bounds, now: 1000 }, state)
    expect(held.reason!.rule).toBe('measuring')
    const epoch = controller.decide({ target: floor, samples: failingShare(floor, 4, 0.2, 50, 2000), bounds, now: 2000 }, held.state)
    expect(epoch.state.errorFloor).toBeCloseTo(0.3 * 0.2)
  })

  it('cuts slow flushes above the floor, but learns them as healthy at the least size and concurrency', () => {
    const controller = autoTune()
    // Flushes ten times as slow as healthy ones: a stall at 100 × 4.
    expect(controller.decide({ target, samples: healthy(target, 2, 500, 1000), bounds, now: 1000 }, searching()).reason!.rule).toBe('overload')
    const floor = { batchSize: 10, concurrency: 1 }
    const state = searching({ setting: { size: 10, concurrency: 1 }, healthyItems: 10 })
    const held = controller.decide({ target: floor, samples: healthy(floor, 2, 500, 1000), bounds, now: 1000 }, state)
    expect(held.reason!.rule).toBe('measuring')
    // A full epoch of them is healthy: the new pace becomes the yardstick, and the search goes on up.
    const epoch = controller.decide({ target: floor, samples: healthy(floor, 8, 500, 2000), bounds, now: 2000 }, held.state)
    expect(epoch.state.healthyMs).toBeCloseTo(0.7 * 50 + 0.3 * 500)
    expect(epoch.batchSize * epoch.concurrency).toBeGreaterThan(10)
  })
})

describe('autoTune past the knee', () => {
  /** A start trial from 100 × 4 (100 ms) to 141 × 6: items in flight ×2.1, its flushes taking `ms`, goodput lower. */
  const judge = (ms: number) => {
    const controller = autoTune()
    const trial = { batchSize: 141, concurrency: 6 }
    const state: AutoTuneState = {
      ...initialAutoTuneState(1.5), dimension: 'both', trial: true, since: 0, seen: 0, setting: { size: 141, concurrency: 6 },
      reference: { setting: { size: 100, concurrency: 4 }, goodput: 4000, latencyMs: 100 }, healthyMs: 100, healthyItems: 100, healthySpread: 4,
    }
    return controller.decide({ target: trial, samples: healthy(trial, 12, ms, 1000), bounds, now: 1000 }, state)
  }

  it('turns the size down when latency grew half again as fast as the items in flight', () => {
    const decided = judge(400) // ×4 against ×2.1
    expect(decided.reason!.rule).toBe('worse')
    expect(decided.state.direction.size).toBe(-1)
  })

  it('keeps the size going up when latency grew about as fast as the items in flight', () => {
    const decided = judge(250) // ×2.5 against ×2.1: worse goodput, but no knee
    expect(decided.reason!.rule).toBe('worse')
    expect(decided.state.direction.size).toBe(1)
  })
})

describe('autoTune when a start step overruns the backend', () => {
  it('goes back and turns the size down: the search does not try a bigger batch next', () => {
    const controller = autoTune()
    const trial = { batchSize: 141, concurrency: 6 }
    const state: AutoTuneState = {
      ...initialAutoTuneState(1.5), dimension: 'both', trial: true, since: 0, seen: 0, setting: { size: 141, concurrency: 6 },
      reference: { setting: { size: 100, concurrency: 4 }, goodput: 4000, latencyMs: 100 }, healthyMs: 100, healthyItems: 100, healthySpread: 1.5,
    }
    // Two flushes 10 times as slow as healthy ones: a stall.
    const decided = controller.decide({ target: trial, samples: healthy(trial, 2, 1000, 2000), bounds, now: 2000 }, state)
    expect(decided.reason!.rule).toBe('overload-revert')
    expect([decided.batchSize, decided.concurrency]).toEqual([100, 4])
    expect(decided.state.direction.size).toBe(-1)
  })
})
