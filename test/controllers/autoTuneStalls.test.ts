/**
 * autoTune's stall rules: the stall limit it gives the batcher (`attemptTimeoutMs`), that a
 * stalled attempt it already acted on does not cut again, and that a move up that paid with
 * every way up blocked settles instead of trying a way down.
 */
import { describe, expect, it } from 'vitest'
import { autoTune, type AutoTuneState } from '../../src/controllers/autoTune.ts'
import type { ControlTarget, ControllerDecision, FeedbackSample } from '../../src/controllers/controller.ts'
import { ConfigError } from '../../src/errors.ts'

let seq = 0
/** `count` healthy flush samples of `target`, each `ms` long, ending at `at`. */
function healthy(target: ControlTarget, count: number, ms: number, at: number): FeedbackSample[] {
  return Array.from({ length: count }, () => ({
    at, seq: ++seq, source: 'flush' as const, failed: false, batchSize: target.batchSize, score: 0,
    feedback: { latencyMs: ms }, durationMs: ms, inFlight: target.concurrency, trigger: 'size' as const, attempt: 1,
  }))
}

const bounds = { size: { min: 1, max: 100 }, concurrency: { min: 1, max: 4 } }

/** One healthy epoch of 10-item batches at 20 ms from 10 × 1, decided at 1000 ms. */
function afterOneEpoch(controller = autoTune()): ControllerDecision<AutoTuneState> {
  const target = { batchSize: 10, concurrency: 1 }
  const first = controller.decide({ target, samples: healthy(target, 1, 20, 0), bounds, now: 0 }, controller.initialState())
  return controller.decide({ target, samples: healthy(target, 8, 20, 1000), bounds, now: 1000 }, first.state)
}

describe('autoTune stall limit', () => {
  it('has none before a healthy epoch; then 64 × the healthy latency, per item of the healthy batches', () => {
    const controller = autoTune()
    expect(controller.attemptTimeoutMs!(controller.initialState(), 10)).toBeUndefined()
    const { state } = afterOneEpoch(controller)
    expect(state.healthyMs).toBe(20)
    expect(state.healthyItems).toBe(10)
    expect(controller.attemptTimeoutMs!(state, 5)).toBe(64 * 20)
    expect(controller.attemptTimeoutMs!(state, 40)).toBe(64 * 20 * 4)
  })

  it('gives none with abortStalls: false, and refuses an abortStalls that is no boolean', () => {
    expect(autoTune({ abortStalls: false }).attemptTimeoutMs).toBeUndefined()
    expect(() => autoTune({ abortStalls: 'yes' as unknown as boolean })).toThrow(ConfigError)
    expect(() => autoTune({ abortStalls: 'yes' as unknown as boolean })).toThrow(/abortStalls/)
  })

  it('cuts once for a stalled attempt: one that started before the last move was acted on already', () => {
    const controller = autoTune()
    const moved = afterOneEpoch(controller)
    const target = { batchSize: moved.batchSize, concurrency: moved.concurrency }
    // Healthy is 20 ms: an attempt running 16 × that (320 ms) is a stall, if it started under this setting (at 1000 ms or later).
    const started = controller.decide({ target, samples: healthy(target, 1, 20, 1500), bounds, now: 1500, oldestAttemptMs: 500 }, moved.state)
    expect(started.reason!.rule).toMatch(/^overload/) // the trial that raised it goes back
    const older = controller.decide({ target, samples: healthy(target, 1, 20, 1500), bounds, now: 1500, oldestAttemptMs: 501 }, moved.state)
    expect(older.reason!.rule).toBe('measuring')
    expect([older.batchSize, older.concurrency]).toEqual([target.batchSize, target.concurrency])
  })
})

describe('autoTune at the top', () => {
  it('settles where a move up paid and every way up is blocked, rather than trying a way down', () => {
    const controller = autoTune()
    const pinned = { size: { min: 1, max: 1 }, concurrency: { min: 1, max: 2 } }
    let state = controller.initialState()
    let target = { batchSize: 1, concurrency: 1 }
    const rules: string[] = []
    let now = 0
    for (let round = 0; round < 6; round++) {
      now += 1000
      // Every slot's flush takes 100 ms whatever the concurrency: two slots give twice the goodput.
      const decision = controller.decide({ target, samples: healthy(target, 8, 100, now), bounds: pinned, now }, state)
      rules.push(decision.reason!.rule)
      state = decision.state
      target = { batchSize: decision.batchSize, concurrency: decision.concurrency }
    }
    expect(rules[0]).toBe('try')
    expect(rules[1]).toBe('better')
    expect(target).toEqual({ batchSize: 1, concurrency: 2 })
    expect(rules.slice(2).every((rule) => rule === 'settled')).toBe(true)
  })
})
