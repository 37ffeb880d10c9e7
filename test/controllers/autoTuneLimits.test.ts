/**
 * autoTune at its limits: the stall limit it gives the batcher (`attemptTimeoutMs`), that a
 * stalled attempt it already acted on does not cut again, that a start step's bigger batches
 * are judged against a healthy latency scaled to them, that a move up that paid with every
 * way up blocked settles instead of trying a way down, and that a concurrency ceiling stops
 * moves that add items in flight but not a split that keeps them; that a start with the size
 * pinned doubles the concurrency while latency stays flat; that a move to fewer items in
 * flight needs only a third of the band; that a steady backend's stalls show sooner; and that
 * partial batches do not stop the search; and that with the size pinned no split is tried.
 */
import { describe, expect, it } from 'vitest'
import { autoTune, type AutoTuneState } from '../../src/controllers/autoTune.ts'
import { propose } from '../../src/controllers/autoTuneSearch.ts'
import { initialAutoTuneState } from '../../src/controllers/autoTuneState.ts'
import type { Setting } from '../../src/controllers/setting.ts'
import type { ControllerDecision } from '../../src/controllers/controller.ts'
import { ConfigError } from '../../src/errors.ts'
import { healthy } from './flushSamples.ts'

const bounds = { size: { min: 1, max: 100 }, concurrency: { min: 1, max: 4 } }

/** One healthy epoch of 10-item batches at 20 ms from 10 × 1, decided at 1000 ms. */
function afterOneEpoch(controller = autoTune()): ControllerDecision<AutoTuneState> {
  const target = { batchSize: 10, concurrency: 1 }
  const first = controller.decide({ target, samples: healthy(target, 1, 20, 0), bounds, now: 0 }, controller.initialState())
  return controller.decide({ target, samples: healthy(target, 8, 20, 1000), bounds, now: 1000 }, first.state)
}

/** Drives autoTune for `rounds` rounds with pinned size 1 (requests), each round `flushes` flushes of `ms`; returns the rules and the last target. */
function driveRequests(start: number, maxConcurrency: number, rounds: number, flushes: number, ms: number) {
  const controller = autoTune()
  const pinned = { size: { min: 1, max: 1 }, concurrency: { min: 1, max: maxConcurrency } }
  let state = controller.initialState()
  let target = { batchSize: 1, concurrency: start }
  const rules: string[] = []
  for (let round = 1; round <= rounds; round++) {
    const decision = controller.decide({ target, samples: healthy(target, flushes, ms, round * 1000), bounds: pinned, now: round * 1000 }, state)
    rules.push(decision.reason!.rule)
    state = decision.state
    target = { batchSize: decision.batchSize, concurrency: decision.concurrency }
  }
  return { rules, target }
}

describe('autoTune stall limit', () => {
  it('has none before a healthy epoch; then 64 × the healthy latency, per item of the healthy batches', () => {
    const controller = autoTune()
    expect(controller.attemptTimeoutMs!(controller.initialState(), 10, 0)).toBeUndefined()
    const { state } = afterOneEpoch(controller)
    expect(state.healthyMs).toBe(20)
    expect(state.healthyItems).toBe(10)
    expect(controller.attemptTimeoutMs!(state, 5, 2000)).toBe(64 * 20)
    expect(controller.attemptTimeoutMs!(state, 40, 2000)).toBe(64 * 20 * 4)
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

describe('autoTune stalls while starting', () => {
  /** Decides on two 400-item flushes of 90 ms after healthy ones of 100 items took 10 ms, starting (`both`) or searching (`size`). */
  const judge = (dimension: 'both' | 'size') => {
    const controller = autoTune()
    const target = { batchSize: 400, concurrency: 1 }
    const state: AutoTuneState = { ...initialAutoTuneState(1.5), dimension, setting: { size: 400, concurrency: 1 }, since: 0, seen: 0, healthyMs: 10, healthyItems: 100 }
    return controller.decide({ target, samples: healthy(target, 2, 90, 100), bounds, now: 100 }, state).reason!.rule
  }

  it('judges a flush against the healthy latency scaled to its batch while starting (a start step may make batches 4 times as big)', () => {
    expect(judge('both')).toBe('measuring')
  })

  it('judges it against the healthy latency itself once searching: 9 times as long twice is a stall', () => {
    expect(judge('size')).toBe('overload')
  })
})

describe('autoTune stalls on a steady backend', () => {
  /** Decides on two 100-item flushes of `ms` after healthy ones of 10 ms whose slowest stood `spread` times their mean. */
  const judge = (spread: number | null, ms: number) => {
    const controller = autoTune()
    const target = { batchSize: 100, concurrency: 1 }
    const state: AutoTuneState = { ...initialAutoTuneState(1.5), dimension: 'size', setting: { size: 100, concurrency: 1 }, since: 0, seen: 0, healthyMs: 10, healthyItems: 100, healthySpread: spread }
    return controller.decide({ target, samples: healthy(target, 2, ms, 100), bounds, now: 100 }, state).reason!.rule
  }

  it('learns the spread of healthy flushes (slowest ÷ mean), 1 for flushes that take no time', () => {
    expect(afterOneEpoch().state.healthySpread).toBe(1)
    const controller = autoTune()
    const target = { batchSize: 10, concurrency: 1 }
    const first = controller.decide({ target, samples: healthy(target, 1, 0, 0), bounds, now: 0 }, controller.initialState())
    const instant = controller.decide({ target, samples: healthy(target, 8, 0, 1000), bounds, now: 1000 }, first.state)
    expect(instant.state.healthySpread).toBe(1)
  })

  it('calls two flushes 2.5 times as long a stall when healthy ones all took the same time (a dropped request, a lock)', () => {
    expect(judge(1, 25)).toBe('overload')
    expect(judge(1, 19)).toBe('measuring')
  })

  it('waits for 8 times as long where healthy flushes spread widely, or before any spread is known', () => {
    expect(judge(4, 25)).toBe('measuring')
    expect(judge(4, 90)).toBe('overload')
    expect(judge(null, 75)).toBe('measuring')
  })

  it('still sees a stall in an attempt that started before a hold: a new epoch of the same setting acted on nothing', () => {
    const controller = autoTune()
    const steady: AutoTuneState = { ...initialAutoTuneState(1.5), dimension: 'size', phase: 'settled', setting: { size: 100, concurrency: 1 }, healthyMs: 10, healthyItems: 100, healthySpread: 1, since: 0, seen: 0 }
    const target = { batchSize: 100, concurrency: 1 }
    // Eight healthy flushes end the epoch at 100 ms: the settled controller holds the same setting with a new epoch.
    const held = controller.decide({ target, samples: healthy(target, 8, 10, 100), bounds, now: 100 }, { ...steady, reference: { setting: steady.setting!, goodput: 10_000, latencyMs: 10 } })
    expect(held.reason!.rule).toBe('settled')
    expect([held.batchSize, held.concurrency]).toEqual([100, 1])
    expect(held.state.since).toBe(0)
    // An attempt that started at 95 ms, under this same setting, runs 40 ms (4 × healthy): a stall, though it started before the hold.
    const stalled = controller.decide({ target, samples: [], bounds, now: 135, oldestAttemptMs: 40 }, held.state)
    expect(stalled.reason!.rule).toBe('overload')
    expect(stalled.batchSize * stalled.concurrency).toBeLessThan(100)
  })

  it('asks for a decision on a running attempt at twice that factor; asked sooner, a running attempt that is not lost is no stall yet', () => {
    const controller = autoTune()
    const steady: AutoTuneState = { ...initialAutoTuneState(1.5), dimension: 'size', setting: { size: 100, concurrency: 1 }, healthyMs: 10, healthyItems: 100, healthySpread: 1, since: 0, seen: 0 }
    expect(controller.overdueMs!(steady)).toBe(40)
    expect(controller.overdueMs!({ ...steady, healthySpread: 5 })).toBe(160)
    const target = { batchSize: 100, concurrency: 1 }
    // The attempt started at 100. A flush that started before it and took 10 ms says nothing of it: at 20 ms it may be slow, not lost.
    const notLost = controller.decide({ target, samples: healthy(target, 1, 10, 105), bounds, now: 120, oldestAttemptMs: 20 }, steady)
    expect(notLost.reason!.rule).toBe('measuring')
    // Asked at twice the factor, an attempt running exactly that long is a stall (the batcher asks when it reaches the limit).
    const atTwice = controller.decide({ target, samples: [], bounds, now: 140, oldestAttemptMs: 40 }, notLost.state)
    expect(atTwice.reason!.rule).toBe('overload')
    expect(atTwice.state.overrunCut).toBeNull()
  })

  it('counts a lost attempt at that factor, and cuts short the attempts from before the decision at it until a healthy epoch', () => {
    const controller = autoTune()
    const steady: AutoTuneState = { ...initialAutoTuneState(1.5), dimension: 'size', setting: { size: 100, concurrency: 2 }, healthyMs: 10, healthyItems: 100, healthySpread: 1, since: 0, seen: 0 }
    const target = { batchSize: 100, concurrency: 2 }
    // The attempt started at 100; one that started at 110 (a healthy latency later) answered in 10 ms: the first is lost (a dropped request).
    const lost = controller.decide({ target, samples: healthy(target, 1, 10, 120), bounds, now: 120, oldestAttemptMs: 20 }, steady)
    expect(lost.reason!.rule).toBe('overload')
    expect(lost.state.overrunCut).toBe(2)
    // Attempts that started before the decision may run 2 × 10 ms; those after it the usual 64 ×.
    expect(controller.attemptTimeoutMs!(lost.state, 100, 100)).toBe(20)
    expect(controller.attemptTimeoutMs!(lost.state, 100, 120)).toBe(640)
    // Started only 5 ms later, the answer overtook nothing telling: not lost, and no stall yet.
    const close = controller.decide({ target, samples: healthy(target, 1, 10, 115), bounds, now: 120, oldestAttemptMs: 20 }, steady)
    expect(close.reason!.rule).toBe('measuring')
    // A healthy epoch ends the episode: the usual limit again.
    let state = lost.state
    const after = { batchSize: lost.batchSize, concurrency: lost.concurrency }
    const healed = controller.decide({ target: after, samples: healthy(after, 16, 10, 300), bounds, now: 300 }, state)
    state = healed.state
    expect(state.overrunCut).toBeNull()
    expect(controller.attemptTimeoutMs!(state, 100, 100)).toBeGreaterThan(20)
  })
})

describe('autoTune at the top', () => {
  it('settles where a move up paid and every way up is blocked, rather than trying a way down', () => {
    // Every slot's flush takes 100 ms whatever the concurrency: two slots give twice the goodput.
    const { rules, target } = driveRequests(1, 2, 6, 8, 100)
    expect(rules.slice(0, 2)).toEqual(['try', 'better'])
    expect(target).toEqual({ batchSize: 1, concurrency: 2 })
    expect(rules.slice(2).every((rule) => rule === 'settled')).toBe(true)
  })
})

describe('autoTune probes', () => {
  it('probes every 8 settled epochs, and waits 4 times as long after each probe that failed', () => {
    // Settled at the top (1 × 2): each probe tries one slot fewer, loses half the goodput, and fails.
    const { rules } = driveRequests(1, 2, 60, 8, 100)
    const probes = rules.flatMap((rule, round) => (rule === 'probe' ? [round] : []))
    expect(probes.length).toBeGreaterThanOrEqual(2)
    expect(probes[0]).toBe(2 + 8 - 1) // settled after round 2, probing on the 8th settled epoch
    expect(probes[1]! - probes[0]!).toBe(1 + 32) // the failed probe's own round, then 8 × 4 settled epochs
  })
})

describe('autoTune gains under the band', () => {
  it('keeps a move up whose flushes took no longer, even when it gains less than the band (a last step to a bound)', () => {
    // Every request takes 100 ms however many run: 200 in flight give 7 % more than 187, under the 10 % band.
    const { rules, target } = driveRequests(187, 200, 3, 400, 100)
    expect(rules.slice(0, 2)).toEqual(['try', 'better'])
    expect(target.concurrency).toBe(200)
  })

  it('still calls a move up "same" when its flushes took longer and it gained less than the band', () => {
    const controller = autoTune()
    const pinned = { size: { min: 1, max: 1 }, concurrency: { min: 1, max: 200 } }
    const target = { batchSize: 1, concurrency: 187 }
    const tried = controller.decide({ target, samples: healthy(target, 400, 100, 1000), bounds: pinned, now: 1000 }, controller.initialState())
    const trial = { batchSize: tried.batchSize, concurrency: tried.concurrency }
    // At 101 ms each, 200 give 1980/s, 6 % over 187's 1870/s, but with slower flushes.
    const judged = controller.decide({ target: trial, samples: healthy(trial, 400, 101, 2000), bounds: pinned, now: 2000 }, tried.state)
    expect(judged.reason!.rule).toBe('same')
    expect(judged.concurrency).toBe(187)
  })
})

describe('autoTune starting with the size pinned', () => {
  it('doubles the concurrency while its flushes take no longer, and steps by √2 once they slow down', () => {
    // Every request takes 100 ms however many run: items in flight double each epoch, as they do when the size can grow.
    const flat = driveRequests(1, 200, 9, 400, 100)
    expect(flat.rules.slice(0, 8)).toEqual(['try', 'better', 'better', 'better', 'better', 'better', 'better', 'better'])
    expect(flat.target.concurrency).toBe(200) // 1, 2, 4, …, 128, 200 (the bound)
    // Past 8 in flight each request slows: 16 measured 30 % slower than 8 steps only ×√2, to 23.
    const controller = autoTune()
    const pinned = { size: { min: 1, max: 1 }, concurrency: { min: 1, max: 200 } }
    let state = controller.initialState()
    let target = { batchSize: 1, concurrency: 1 }
    const seen: number[] = []
    for (let round = 1; round <= 6; round++) {
      const ms = target.concurrency > 8 ? 130 : 100
      const decision = controller.decide({ target, samples: healthy(target, 40, ms, round * 1000), bounds: pinned, now: round * 1000 }, state)
      state = decision.state
      target = { batchSize: 1, concurrency: decision.concurrency }
      seen.push(target.concurrency)
    }
    expect(seen.slice(0, 5)).toEqual([2, 4, 8, 16, 23])
  })
})

describe('autoTune moves down', () => {
  const judge = (goodputGain: number, latencyMs: number) => {
    const controller = autoTune()
    const state: AutoTuneState = {
      ...initialAutoTuneState(1.5), dimension: 'concurrency', phase: 'search', trial: true, since: 1000, setting: { size: 1, concurrency: 13 },
      direction: { size: 1, concurrency: -1, split: 1, both: 1 },
      reference: { setting: { size: 1, concurrency: 16 }, goodput: 90, latencyMs: 177 },
    }
    const pinned = { size: { min: 1, max: 1 }, concurrency: { min: 1, max: 200 } }
    const target = { batchSize: 1, concurrency: 13 }
    // 40 flushes of one item each at `latencyMs`: goodput 13 000 / latencyMs per second.
    const ms = (13 * 1000) / (90 * (1 + goodputGain))
    return controller.decide({ target, samples: healthy(target, 40, Number.isNaN(latencyMs) ? ms : latencyMs, 2000), bounds: pinned, now: 2000 }, { ...state, healthyMs: 100 })
  }

  it('keeps a move to fewer items in flight that gains a third of the band and lowers latency (past a knee)', () => {
    const kept = judge(0.08, NaN)
    expect(kept.reason!.rule).toBe('better')
    expect(kept.concurrency).toBeLessThan(13) // and on down the same way
  })

  it('goes back from a move down that gains less than a third of the band', () => {
    const back = judge(0.02, NaN)
    expect(back.reason!.rule).toBe('same')
    expect(back.concurrency).toBe(16)
  })
})

describe('autoTune when the producers limit the batches', () => {
  it('searches on partial batches, but not above the size they did not reach', () => {
    const controller = autoTune()
    const target = { batchSize: 100, concurrency: 4 }
    const roomy = { size: { min: 1, max: 1000 }, concurrency: { min: 1, max: 8 } }
    const first = controller.decide({ target, samples: healthy(target, 1, 20, 0), bounds: roomy, now: 0 }, controller.initialState())
    // Eight flushes of 30 items, cut by time: the producers, not the size, filled them.
    const partial = healthy({ batchSize: 30, concurrency: 4 }, 8, 20, 1000).map((sample) => ({ ...sample, trigger: 'time' as const }))
    const decided = controller.decide({ target, samples: partial, bounds: roomy, now: 1000 }, first.state)
    expect(decided.reason!.rule).toBe('try')
    // The batches did not reach the size: raising it would change nothing, so the start raises the concurrency alone.
    expect(decided.batchSize).toBe(100)
    expect(decided.concurrency).toBeGreaterThan(4)
  })
})

describe('autoTune search with the size pinned', () => {
  it('never tries a split (a concurrency move under another name): at the split\'s turn it moves the concurrency itself', () => {
    const state: AutoTuneState = { ...initialAutoTuneState(1.5), dimension: 'split', phase: 'search', reference: { setting: { size: 1, concurrency: 4 }, goodput: 40, latencyMs: 100 } }
    const pinned = { size: { min: 1, max: 1 }, concurrency: { min: 1, max: 8 } }
    const texts: string[] = []
    propose(state, pinned, 'try', 'test', (_rule, next, _changes, text) => {
      texts.push(text)
      return { batchSize: 1, concurrency: next.concurrency, state }
    }, () => ({ batchSize: 1, concurrency: 4, state }))
    expect(texts).toHaveLength(1)
    expect(texts[0]).toMatch(/; concurrency up ×/)
  })
})

describe('autoTune search under a concurrency ceiling', () => {
  const searchFrom = (dimension: 'split' | 'concurrency', size: { min: number; max: number }) => {
    const state: AutoTuneState = {
      ...initialAutoTuneState(1.5), dimension, phase: 'search',
      reference: { setting: { size: 40, concurrency: 4 }, goodput: 1000, latencyMs: 50 }, overloadAt: { size: Infinity, concurrency: 5 },
    }
    let moved: Setting | undefined
    propose(state, { size, concurrency: { min: 1, max: 8 } }, 'try', 'test', (_rule, next) => {
      moved = next
      return { batchSize: Math.round(next.size), concurrency: next.concurrency, state }
    }, () => ({ batchSize: 40, concurrency: 4, state }))
    return moved
  }

  it('lets a split that keeps the items in flight (more, smaller batches) pass it', () => {
    const moved = searchFrom('split', { min: 1, max: 100 })!
    expect(moved.concurrency).toBeGreaterThanOrEqual(5)
    expect(moved.size * moved.concurrency).toBeCloseTo(160)
  })

  it('stops a split the size floor turns into more items in flight, as it stops a concurrency raise', () => {
    // The size cannot go below 40: the "split" would be 40 × 6, more in flight, so the ceiling holds; only down moves are left.
    for (const dimension of ['split', 'concurrency'] as const) {
      const moved = searchFrom(dimension, { min: 40, max: 100 })
      expect(moved === undefined || moved.concurrency < 5).toBe(true)
    }
  })
})
