import { checkFinite, checkKeys } from '../checkOption.ts'
import { ConfigError } from '../errors.ts'
import { clampTo, reasonInputs } from './controller.ts'
import type { ControlTarget, Controller, ControllerDecision, ControllerInput } from './controller.ts'
import { clampSetting, other, roundSetting, sameRounded, type Setting } from './setting.ts'
import { propose } from './autoTuneSearch.ts'
import { emptyEpoch, foldSample, goodputOf, meanMs, overloadShare } from './epoch.ts'
import { fade, healthyFor, initialAutoTuneState, relax, round, scaled, SETTLE_STEP, stallBase, stallFactor, upBlocked, type AutoTuneState } from './autoTuneState.ts'
import { overload, STALL_FACTOR } from './autoTuneOverload.ts'

export type { AutoTuneState } from './autoTuneState.ts'

/** Options of {@link autoTune}. */
export interface AutoTuneOptions {
  /** A latency SLO: a flush's mean latency above it shrinks the size (default none). > 0. */
  readonly targetLatencyMs?: number
  /** Goodput differences within this share count as "the same" (default 0.1). In (0, 1). */
  readonly band?: number
  /** Flushes an epoch needs at least, and two per flush slot (default 8). An integer >= 1. */
  readonly minFlushes?: number
  /**
   * Cut a partial batch as soon as a flush slot is free (default true): latency at light load
   * is one flush, not `maxWaitMs`, and the size is then a ceiling that bounds the cost of a call.
   */
  readonly workConserving?: boolean
  /**
   * Abort an attempt that runs 64 times as long as healthy flushes (per item) and retry it
   * inside the cut target (default true): calls stalled in an overrun backend hold the load
   * their retries, fewer at a time, would free. The retry does not use up one of
   * `retry.attempts`, and waits for the aborted call's answer (up to `flushTimeoutMs`): a
   * write that landed anyway counts as flushed, so nothing is written twice. Set false to
   * leave calls to `flushTimeoutMs` alone.
   */
  readonly abortStalls?: boolean
}

const PROBE_STEP = 1.25
const PROBE_EVERY = 8
/** Each probe that failed since the last search makes the wait before the next this many times as long (a probe into a hard limit costs its timeouts). */
const PROBE_BACKOFF = 4
/** An attempt this many times as long as healthy ones (per item) is aborted and retried. */
const ABORT_FACTOR = 64
/** The largest multiplicative step of a search move: near a knee a bigger jump can overrun the backend for the length of a call. */
const MAX_STEP = 1.5
/** A start step whose latency grew this many times as fast as the items in flight is past the knee. */
const KNEE_GROWTH = 1.5
/** Fast recovery returns to this share of the batch size the overrun's cut came from. */
const RECOVER_SHARE = 0.85

/**
 * The default controller for a range of size or concurrency: it finds and holds the best
 * (size, concurrency) from what the backend shows (each flush's size, own duration, outcome,
 * and the user's feedback), never from a model of it.
 *
 * - Epochs: a setting is judged on the flushes that started after it came into force, at
 *   least `minFlushes` and two per flush slot, so the cadence follows completed flushes.
 * - Start: size and concurrency grow together by √2 (items in flight double) each epoch
 *   while goodput grows; while a bigger batch costs hardly more time (latency grew less than
 *   half as fast as the size) the size step doubles, up to ×4; with the size unable to grow
 *   (pinned, or at its bound) the concurrency doubles while its flushes take no longer. The
 *   first miss hands over to the search (turning the size down when the step overran the
 *   backend or latency grew half again as fast as the items in flight: past the knee).
 * - Search: goodput with every slot busy (`concurrency × items that succeeded ÷ busy time`)
 *   is compared with the last measured setting. A move multiplies the size, the concurrency,
 *   or the concurrency while dividing the size (a split: the same items in flight in more,
 *   smaller batches) by its step (at most ×1.5: near a knee a bigger jump overruns the
 *   backend for the length of a call); a gain beyond the `band` is kept (a move to fewer
 *   items in flight needs only a third of it, with lower latency), the step grows by
 *   √2 and the search goes on the same way; anything else goes back, turns round, tries the
 *   other dimension, and halves the step's logarithm. Six misses in a row (or every step
 *   below 1.08) settle it.
 * - Settled: holds; a goodput change of three bands in one epoch, or a drift of two bands
 *   from where it settled, means the load moved, and the search starts again; every 8
 *   epochs it probes one small step, and each probe that failed makes the wait 4 times as long.
 * - Overload (timeouts, failed flushes, over 5 % of items failing beyond the share healthy
 *   epochs showed, once 4 flushes tell (half failing at once), two flushes k times
 *   slower than healthy ones or one 2k times, a flush still running 2k times as long as
 *   healthy ones (`overdueMs`: the batcher asks without waiting for its end), or k times when
 *   it is lost (one that started a healthy latency after it has answered at a healthy pace, as
 *   for a dropped request), where k is twice
 *   the healthy flushes' spread (slowest ÷ mean), 2..8, or the user's
 *   feedback scoring 0.85 or more) acts at once (an attempt older than the last move was
 *   acted on already): a trial that raised the size or the concurrency goes back and that
 *   level becomes a ceiling the search stays under (slow or failing flushes at the least size
 *   and concurrency are no overload: the backend got slower or flakier for good, and they
 *   become healthy);
 *   otherwise the items in flight shrink by healthy ÷ seen latency (0.06..0.64), or by 0.9
 *   when the refusals come back fast (a rate limit's 429s): the batches first (under load
 *   the best setting is small batches in every slot), concurrency only for what the size
 *   cannot give, and the size stays under where it was. Ceilings fade: each healthy epoch
 *   lifts the size's by 10 %, each new search and each probe lifts both.
 * - Stalls (`abortStalls`): an attempt running 64 times as long as healthy ones (per item) is
 *   aborted and retried, its retry waiting until it fits the cut target; after a lost attempt
 *   was acted on (until a healthy epoch), attempts from before that decision at k times.
 * - At the top: a move up that paid with every way up blocked (bounds, ceilings) settles; more
 *   flush slots (the size no larger) whose flushes took no longer pay with any gain, even under
 *   the band (a last step to a bound can gain less than the band).
 * - Demand: when half the batches or more leave partial (the producers, not the size, limit
 *   them) the search goes on (goodput with every slot busy is what the setting could carry)
 *   but never raises the size they did not reach: at light load, more slots of small batches.
 * - `targetLatencyMs`: a mean flush latency above it shrinks the size in proportion.
 * - Errors classed `tooLarge`, `badItem` or `fatal` are not load and do not move it.
 *
 * Every decision carries its reason (rule, inputs, old → new). Sizes and concurrencies stay
 * within bounds.
 *
 * @example createBatcher({ flush, size: { initial: 100, min: 10, max: 20_000 }, concurrency: { initial: 1, min: 1, max: 8 } })
 */
export function autoTune(options: AutoTuneOptions = {}): Controller<AutoTuneState> {
  checkKeys('', options, ['targetLatencyMs', 'band', 'minFlushes', 'workConserving', 'abortStalls'], 'autoTune')
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'an object of autoTune options', options)
  const targetLatencyMs = options.targetLatencyMs === undefined ? undefined : checkFinite('targetLatencyMs', options.targetLatencyMs, 'a number > 0 (ms)', (v) => v > 0)
  const band = checkFinite('band', options.band ?? 0.1, 'a number > 0 and < 1', (v) => v > 0 && v < 1)
  const minFlushes = checkFinite('minFlushes', options.minFlushes ?? 8, 'an integer >= 1', (v) => Number.isInteger(v) && v >= 1)
  const workConserving = options.workConserving ?? true
  const abortStalls = options.abortStalls ?? true
  if (typeof abortStalls !== 'boolean') throw new ConfigError('abortStalls', 'a boolean', abortStalls)
  if (typeof workConserving !== 'boolean') throw new ConfigError('workConserving', 'a boolean', workConserving)

  return {
    name: 'autoTune',
    intervalMs: 1,
    ...(workConserving ? { waitMs: 0 } : {}),
    // A flush running 2k times as long as healthy ones (k from the healthy spread, 2..8) is a stall: decide without waiting for its end.
    overdueMs: (state) => scaled(2 * stallFactor(state, STALL_FACTOR), stallBase(state, state.setting?.size ?? 0)),
    // At 64 times the healthy latency (per item), the attempt is cut short and retried inside the cut target: stalled calls hold the backend their retries, fewer at a time, would free.
    // Once a lost attempt was acted on (until a healthy epoch), attempts from before the last move are cut at k times: they hold slots their retries need.
    ...(abortStalls ? { attemptTimeoutMs: (state: AutoTuneState, items: number, startedAt: number) => scaled(state.overrunCut !== null && startedAt < state.since ? state.overrunCut : ABORT_FACTOR, healthyFor(state, items)) } : {}),
    initialState: () => initialAutoTuneState(MAX_STEP),
    decide(input, state) {
      return decide(input, state, { targetLatencyMs, band, minFlushes })
    },
  }
}

interface Rules {
  readonly targetLatencyMs: number | undefined
  readonly band: number
  readonly minFlushes: number
}

function decide(input: ControllerInput, previous: AutoTuneState, rules: Rules): ControllerDecision<AutoTuneState> {
  const { bounds, now } = input
  const from: ControlTarget = { batchSize: clampTo(input.target.batchSize, bounds.size), concurrency: clampTo(input.target.concurrency, bounds.concurrency) }
  let state = previous
  // Moved from outside (first call, new bounds, a user's change): start measuring from here.
  if (state.setting === null || roundSetting(state.setting, bounds).batchSize !== from.batchSize || roundSetting(state.setting, bounds).concurrency !== from.concurrency) {
    state = { ...state, setting: { size: from.batchSize, concurrency: from.concurrency }, reference: null, trial: false, since: state.setting === null ? -Infinity : now, epoch: emptyEpoch }
  }
  const setting = state.setting!
  let epoch = state.epoch
  let seen = state.seen
  for (const sample of input.samples) {
    const key = sample.seq ?? sample.at
    if (key <= state.seen) continue
    seen = Math.max(seen, key)
    epoch = foldSample(epoch, sample, state.since, from)
  }
  state = { ...state, seen, epoch }
  const goodput = goodputOf(epoch, setting.concurrency)
  const latencyMs = meanMs(epoch)
  const inputs = reasonInputs({ flushes: epoch.flushes, goodput: round(goodput), latencyMs: round(latencyMs), overloadShare: round(overloadShare(epoch)), partial: epoch.partial })

  const hold = (rule: string, text: string): ControllerDecision<AutoTuneState> => ({ ...from, state, reason: { rule, from, to: from, inputs, text } })
  const move = (rule: string, next: Setting, changes: Partial<AutoTuneState>, text: string): ControllerDecision<AutoTuneState> => {
    const kept = clampSetting(next, bounds)
    const to = roundSetting(kept, bounds)
    const raised = to.batchSize * to.concurrency > from.batchSize * from.concurrency ? { lastRaise: { from: setting, at: now } } : {}
    // A move that keeps the target (a hold with a new epoch) leaves `since` alone: attempts that started under this setting are still its, and a stall among them still counts.
    const holds = to.batchSize === from.batchSize && to.concurrency === from.concurrency && !rule.startsWith('overload')
    return { ...to, state: { ...state, ...changes, ...raised, setting: kept, since: holds ? state.since : now, epoch: emptyEpoch }, reason: { rule, from, to, inputs, text } }
  }

  const overrun = overload({ state, epoch, setting, from, bounds, now, oldestAttemptMs: input.oldestAttemptMs }, move)
  if (overrun) return overrun
  // Starting, an epoch is half as long: a short job must not spend itself measuring.
  const starting = state.dimension === 'both'
  // Starting with the size pinned (requests one by one) an epoch is half as long: no batch can overshoot, and a short run must not spend itself measuring.
  const pinned = bounds.size.min === bounds.size.max
  if (epoch.flushes < (starting ? Math.max(pinned ? Math.ceil(rules.minFlushes / 2) : rules.minFlushes, setting.concurrency) : Math.max(rules.minFlushes, 2 * setting.concurrency))) return hold('measuring', `measuring: ${epoch.flushes} flush(es) of this setting so far`)
  // A healthy epoch: learn its latency, and let the overload ceilings fade a little (an overrun is a moment, not a law).
  const meanItems = epoch.items / epoch.flushes
  // Slowest ÷ mean; 1 when flushes take no time at all (a sink that answers at once).
  const spread = latencyMs > 0 ? epoch.maxMs / latencyMs : 1
  state = {
    ...state, overloadAt: fade(state.overloadAt), overrunCut: null,
    healthyMs: state.healthyMs === null ? latencyMs : 0.7 * state.healthyMs + 0.3 * latencyMs,
    healthyItems: state.healthyItems === null ? meanItems : 0.7 * state.healthyItems + 0.3 * meanItems,
    errorFloor: 0.7 * state.errorFloor + 0.3 * overloadShare(epoch),
    healthySpread: 0.7 * (state.healthySpread ?? spread) + 0.3 * spread,
  }

  // Fast recovery: flushes as fast as they were before the overrun mean it has passed (a burst of other clients' load):
  // straight back to the setting the cut came from, as a trial, rather than searching up from the bottom.
  if (state.recover && latencyMs <= 1.5 * state.recover.latencyMs && !sameRounded(state.recover.setting, setting, bounds)) {
    // A little under it (×0.85 of its batch): if that setting was the overrun's cause, the same overrun does not recur at once.
    const back = { ...state.recover.setting, size: Math.max(bounds.size.min, state.recover.setting.size * RECOVER_SHARE) }
    return move('recover', back, { reference: { setting, goodput, latencyMs }, trial: true, dimension: 'both', recover: null, overloadAt: { size: Math.max(state.overloadAt.size, back.size * 1.01), concurrency: Math.max(state.overloadAt.concurrency, back.concurrency + 1) } },
      `flushes take ${round(latencyMs)} ms, as before the overrun (${round(state.recover.latencyMs)} ms): straight back to where the cut came from`)
  }
  if (state.recover && sameRounded(state.recover.setting, setting, bounds)) state = { ...state, recover: null }

  if (rules.targetLatencyMs !== undefined && latencyMs > rules.targetLatencyMs) {
    const factor = Math.max(0.5, (0.9 * rules.targetLatencyMs) / latencyMs)
    const atFloor = clampTo(setting.size * factor, bounds.size) === from.batchSize
    const next = atFloor ? { ...setting, concurrency: Math.max(bounds.concurrency.min, Math.floor(setting.concurrency * 0.7)) } : { ...setting, size: setting.size * factor }
    return move('slo', next, { reference: null, trial: false, overloadAt: { ...state.overloadAt, size: Math.min(state.overloadAt.size, setting.size) } },
      `mean flush latency ${round(latencyMs)} ms is over the ${rules.targetLatencyMs} ms target: ${atFloor ? 'concurrency' : 'size'} down`)
  }

  const measured = { setting, goodput, latencyMs }
  // Batches that left partial (half or more) did not reach the size: raising it would change nothing but the worst case (and a
  // start step would add it to every later batch), so the search keeps under it: at light load, more slots of small batches.
  const searchBounds = epoch.partial * 2 >= epoch.flushes ? { ...bounds, size: { ...bounds.size, max: Math.max(bounds.size.min, Math.min(bounds.size.max, from.batchSize)) } } : bounds
  if (state.trial && state.reference) {
    const ref = state.reference
    const margin = rules.band * ref.goodput
    // More flush slots at no cost in latency (the size no larger): a gain under the band is no noise (a last step to a bound can gain less than the band).
    const free = goodput > ref.goodput && setting.concurrency > ref.setting.concurrency && setting.size <= ref.setting.size && latencyMs <= ref.latencyMs
    // Fewer items in flight for a third of the band more goodput, and lower latency: kept (Little's law: the same work, less waiting).
    const lighter = goodput >= ref.goodput * (1 + rules.band / 3) && setting.size * setting.concurrency < ref.setting.size * ref.setting.concurrency && latencyMs < ref.latencyMs
    if (goodput > ref.goodput + margin || free || lighter) {
      // Starting: while a bigger batch costs hardly more time (the per-call overhead dominates), the size steps grow, up to ×4.
      const sizeRatio = setting.size / ref.setting.size
      const cheap = state.dimension === 'both' && sizeRatio > 1 && latencyMs <= ref.latencyMs * (1 + 0.5 * (sizeRatio - 1))
      // With the size unable to grow, more slots whose flushes took no longer (within the band) double the next step.
      const flat = state.dimension === 'both' && sizeRatio <= 1 && setting.concurrency > ref.setting.concurrency && latencyMs <= ref.latencyMs * (1 + rules.band)
      // Searching, a move that paid grows its step: small first steps near a knee, then strides while they pay.
      const step = state.dimension === 'both' ? { ...state.step, both: cheap ? Math.min(4, state.step.both * 2) : flat ? 2 : Math.SQRT2 } : { ...state.step, [state.dimension]: Math.min(MAX_STEP, state.step[state.dimension] * Math.SQRT2) }
      // Every way up blocked (bounds, ceilings): this is the top that paid; settle rather than try a way down.
      if (upBlocked(setting, state.overloadAt, searchBounds)) {
        return move('better', setting, { reference: measured, trial: false, misses: 0, step, phase: 'settled', settledEpochs: 0, anchor: null },
          `goodput ${round(goodput)}/s beats ${round(ref.goodput)}/s, and every way up is blocked: settled`)
      }
      return propose({ ...state, reference: measured, trial: false, misses: 0, step }, searchBounds, 'better', `goodput ${round(goodput)}/s beats ${round(ref.goodput)}/s: keep going`, move, hold)
    }
    const step = { ...state.step, [state.dimension]: Math.sqrt(state.step[state.dimension]) }
    // A start step whose latency grew half again as fast as the items in flight is past the knee: the size is too big, so the search turns it down.
    const pastKnee = state.dimension === 'both' && latencyMs * ref.setting.size * ref.setting.concurrency > KNEE_GROWTH * ref.latencyMs * setting.size * setting.concurrency
    const probing = state.phase === 'settled'
    const misses = state.misses + 1
    // Under a ceiling or a bound in every dimension, only down moves are left to try: two misses settle it, not six.
    const settles = misses >= (upBlocked(ref.setting, state.overloadAt, bounds) ? 2 : 6) || (step.split < SETTLE_STEP && ((step.size < SETTLE_STEP || bounds.size.min === bounds.size.max) && (step.concurrency < SETTLE_STEP || bounds.concurrency.min === bounds.concurrency.max)))
    const rule = goodput < ref.goodput - margin ? 'worse' : 'same'
    return move(rule, ref.setting, {
      reference: null, trial: false, step, dimension: other(state.dimension), direction: { ...state.direction, [state.dimension]: -state.direction[state.dimension] as 1 | -1, ...(pastKnee ? { size: -1 as const } : {}) },
      phase: settles ? 'settled' : state.phase, settledEpochs: 0, misses: settles ? 0 : misses, failedProbes: probing ? state.failedProbes + 1 : state.failedProbes,
    }, `goodput ${round(goodput)}/s vs ${round(ref.goodput)}/s (band ${rules.band * 100} %): back to the last setting${settles ? ', settled' : ''}`)
  }

  if (state.phase === 'settled') {
    const ref = state.reference
    const smoothed = ref ? { ...measured, goodput: 0.7 * ref.goodput + 0.3 * goodput } : measured
    const anchor = state.anchor ?? goodput
    // A jump of three bands in one epoch, or a drift of two from where it settled: the load moved.
    const jumped = ref !== null && Math.abs(goodput / ref.goodput - 1) > 3 * rules.band
    if (jumped || Math.abs(smoothed.goodput / anchor - 1) > 2 * rules.band) {
      return propose({ ...state, reference: measured, phase: 'search', anchor: null, step: { size: Math.SQRT2, concurrency: Math.SQRT2, split: Math.SQRT2, both: Math.SQRT2 }, overloadAt: relax(state.overloadAt), failedProbes: 0, misses: 0 }, searchBounds, 'drift',
        `goodput moved from ${round(jumped ? ref!.goodput : anchor)}/s to ${round(goodput)}/s: the load changed, search again`, move, hold)
    }
    state = { ...state, anchor }
    const settledEpochs = state.settledEpochs + 1
    if (settledEpochs % (PROBE_EVERY * PROBE_BACKOFF ** Math.min(state.failedProbes, 6)) === 0) {
      const dimension = other(state.dimension)
      return propose({ ...state, reference: smoothed, settledEpochs, dimension, direction: { size: 1, concurrency: 1, split: 1, both: 1 }, step: { size: PROBE_STEP, concurrency: PROBE_STEP, split: PROBE_STEP, both: PROBE_STEP }, overloadAt: relax(state.overloadAt) }, searchBounds, 'probe',
        'settled: probe one small step', move, hold)
    }
    return move('settled', setting, { reference: smoothed, settledEpochs }, `settled at goodput ${round(goodput)}/s`)
  }
  return propose({ ...state, reference: measured }, searchBounds, 'try', `goodput ${round(goodput)}/s measured: try a step`, move, hold)
}
