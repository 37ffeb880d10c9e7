/**
 * autoTune's overload rules: when the backend is overrun (timeouts, failing items past the
 * share healthy epochs showed, stalled flushes, the user's alarming feedback), and the cut it
 * makes then: a trial that raised a dimension goes back under a ceiling; otherwise the items in
 * flight shrink, batches first.
 */
import type { ControlTarget, ControllerDecision, ControllerInput } from './controller.ts'
import { overloadShare, type Epoch } from './epoch.ts'
import { raisedBy, round, stallBase, stallFactor, type AutoTuneState } from './autoTuneState.ts'
import type { Move } from './autoTuneSearch.ts'
import { other, type Setting } from './setting.ts'

/** Two flushes this many times slower than healthy ones (one, twice that) mean the backend is overrun; less for a steady backend (see `stallFactor`). */
export const STALL_FACTOR = 8
/** Share of items failing (past the share healthy epochs showed) that means overload. */
const OVERLOAD_SHARE = 0.05
/** Flushes an epoch needs before its share of failing items counts (one flush's share is luck). */
const FAILING_FLUSHES = 4
/** A share of failing items that counts at once. */
const FLOOD_SHARE = 0.5

/** What the overload rules read: the memory and the epoch so far, the setting and target in force, the bounds, the time, the oldest attempt still running. */
export interface OverloadInput {
  readonly state: AutoTuneState
  readonly epoch: Epoch
  readonly setting: Setting
  readonly from: ControlTarget
  readonly bounds: ControllerInput['bounds']
  readonly now: number
  readonly oldestAttemptMs: number | undefined
}

/** The decision overload calls for at once, without waiting for the epoch to fill; null when the backend is not overrun. */
export function overload({ state, epoch, setting, from, bounds, now, oldestAttemptMs }: OverloadInput, move: Move): ControllerDecision<AutoTuneState> | null {
  // Overload acts at once, without waiting for the epoch to fill; a flush many times slower than healthy ones is overload too.
  // Two flushes that slow (one alone may be a pause of the machine, not of the backend), or one at twice that.
  // A flush still running past that counts the same as one that ended so late.
  // An attempt that started before this setting came into force was acted on already (as flushes of an earlier setting do not count).
  const runningMs = oldestAttemptMs !== undefined && now - oldestAttemptMs >= state.since ? oldestAttemptMs : 0
  const slowestMs = Math.max(epoch.maxMs, runningMs)
  // Starting, against the healthy latency scaled to this epoch's batches: a start step may make them 4 times as big.
  const expectedMs = stallBase(state, epoch.flushes > 0 ? epoch.items / epoch.flushes : setting.size)
  const stallAt = stallFactor(state, STALL_FACTOR)
  // An attempt still running though one that started after it answered at a healthy pace is lost, not slow (a dropped request).
  const lost = oldestAttemptMs !== undefined && expectedMs !== null && epoch.lastStart >= now - oldestAttemptMs + expectedMs && epoch.lastStartMs <= 2 * expectedMs
  // A running attempt counts from the moment it reaches the limit (`overdueMs` asks then), a lost one at half of it.
  const runningLimit = (lost ? 1 : 2) * stallAt
  const slow = expectedMs !== null && (epoch.secondMs > stallAt * expectedMs || epoch.maxMs > 2 * stallAt * expectedMs || (runningMs > 0 && runningMs >= runningLimit * expectedMs))
  // Slow or failing at the floor (the least size and concurrency) is nothing a cut can help: the backend got slower or flakier
  // for good (other clients' load), and the epoch goes on to learn its new healthy latency and error share.
  const atFloor = from.batchSize === bounds.size.min && from.concurrency === bounds.concurrency.min
  const stalled = slow && !atFloor
  // Failing items are overload past 5 % over the share healthy epochs showed (errors the backend gives whatever this batcher does:
  // cutting would not lower them), once a few flushes tell a share from the luck of one; a flood (half failing) at once.
  const share = overloadShare(epoch)
  const failing = ((epoch.flushes >= FAILING_FLUSHES && share > OVERLOAD_SHARE + state.errorFloor) || share >= FLOOD_SHARE) && !atFloor
  if (!(stalled || epoch.overloads > 0 || epoch.monitorAlarms > 0 || failing)) return null
  // When one is lost, attempts from before this decision that run k times as long are cut short: they hold slots their retries need.
  const overrunCut = lost ? stallAt : null
  const calm = { overrunCut, reference: null, trial: false, phase: 'search' as const, settledEpochs: 0, step: { size: 1.5, concurrency: 1.5, split: 1.5, both: 1.5 } }
  // A trial that raised a dimension and met overload goes back, and that level becomes a ceiling; a trial that raised nothing did not cause it.
  const raised = state.trial && state.reference ? raisedBy(setting, state.reference.setting) : null
  if (raised && state.reference) {
    const level = raised === 'size' ? setting.size : setting.concurrency
    const probing = state.phase === 'settled'
    const after = probing ? { overrunCut, reference: null, trial: false, settledEpochs: 0, failedProbes: state.failedProbes + 1 } : calm
    return move('overload-revert', state.reference.setting, { ...after, overloadAt: { ...state.overloadAt, [raised]: level }, dimension: other(state.dimension), ...(state.dimension === 'both' ? { direction: { ...state.direction, size: -1 as const } } : {}) },
      `overrun at ${raised} ${Math.round(level)}: back to the last good setting, and stay under ${Math.round(level)}`)
  }
  // The slower the overrun flush against healthy ones, the deeper the cut of items in flight: healthy ÷ seen, 0.06..0.64;
  // refusals that come back fast (429s, a rate limit: latency within twice healthy) cut gently, ×0.9 as Vector's ARC.
  // The batches shrink first (under load the best setting is small batches in every slot); concurrency takes what the size cannot.
  const fastRefusals = !stalled && epoch.timeouts === 0 && expectedMs !== null && slowestMs <= 2 * expectedMs
  const factor = fastRefusals ? Math.sqrt(0.9) : expectedMs === null || slowestMs <= 0 ? 0.5 : Math.min(0.8, Math.max(0.25, Math.sqrt(expectedMs / slowestMs)))
  const size = Math.max(bounds.size.min, setting.size * factor * factor)
  const rest = (setting.size * factor * factor) / size
  const next = { size, concurrency: rest < 1 ? Math.max(bounds.concurrency.min, Math.min(setting.concurrency - 1, Math.floor(setting.concurrency * rest + (fastRefusals ? 0.5 : 0)))) : setting.concurrency }
  // An overrun within 20 healthy flush times of a move that raised the items in flight is that move's doing: its levels become
  // ceilings, and recovery aims below it. An overrun seen while holding still may be other clients' load: no concurrency ceiling.
  const raise = state.lastRaise !== null && state.healthyMs !== null && now - state.lastRaise.at <= 20 * state.healthyMs ? state.lastRaise : null
  const overloadAt = {
    size: size < setting.size || (raise && setting.size > raise.from.size) ? Math.min(state.overloadAt.size, setting.size) : state.overloadAt.size,
    concurrency: raise && setting.concurrency > raise.from.concurrency ? Math.min(state.overloadAt.concurrency, setting.concurrency) : state.overloadAt.concurrency,
  }
  // Remember where a stall's cut came from (the first cut of an episode), to go straight back once the overrun has passed.
  // Not after fast refusals: a rate limit's 429s say this batcher itself asked too much, not that a burst passed by.
  const recover = state.recover ?? (state.healthyMs === null || fastRefusals ? null : { setting: raise ? raise.from : setting, latencyMs: state.healthyMs })
  return move('overload', next, { ...calm, overloadAt, recover, direction: { size: 1, concurrency: 1, split: 1, both: 1 } },
    `the backend is overrun (${stalled ? `a flush took ${round(slowestMs)} ms against ${round(expectedMs!)} ms healthy` : 'timeouts, failed flushes or alarming feedback'}): items in flight ×${(factor * factor).toFixed(2)}, batches first, and stay under them`)
}
