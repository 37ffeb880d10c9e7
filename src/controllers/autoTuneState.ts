/**
 * What {@link autoTune} remembers between adjustments, its first memory, the rules of its
 * overload ceilings (which dimension a trial raised, how ceilings fade, when every way up is
 * blocked) and the latencies its stall rules measure against.
 */

import type { ControllerInput } from './controller.ts'
import { emptyEpoch, type Epoch } from './epoch.ts'
import type { Dimension, Setting } from './setting.ts'

/** A step below this counts as no step: the search settles. */
export const SETTLE_STEP = 1.08
/** How much each healthy epoch lifts an overload ceiling. */
const CEILING_FADE = 1.1

/** What `autoTune` remembers between adjustments. */
export interface AutoTuneState {
  /** The newest sample already folded in (its `seq`, or its time for samples without one). */
  readonly seen: number
  /** When the setting in force came into force: earlier flushes ran under another one. */
  readonly since: number
  /** What the setting in force has shown so far. */
  readonly epoch: Epoch
  /** The setting in force; null before the first call. */
  readonly setting: Setting | null
  /** The last measured setting the search moves from, with its goodput and latency. */
  readonly reference: { readonly setting: Setting; readonly goodput: number; readonly latencyMs: number } | null
  /** True while the setting in force is a trial move away from `reference`. */
  readonly trial: boolean
  /** The dimension the next move changes, and which way each dimension moves next. */
  readonly dimension: Dimension
  readonly direction: { readonly size: 1 | -1; readonly concurrency: 1 | -1; readonly split: 1 | -1; readonly both: 1 | -1 }
  /** Multiplicative step per dimension: starts at 2 (jumps), shrinks by a square root on each miss. */
  readonly step: { readonly size: number; readonly concurrency: number; readonly split: number; readonly both: number }
  /** `search` moves each epoch; `settled` holds, tracks drift, and probes now and then. */
  readonly phase: 'search' | 'settled'
  /** Goodput when the controller settled: a slow drift away from it by two bands means the load moved (null while searching). */
  readonly anchor: number | null
  /** Epochs since the controller settled. */
  readonly settledEpochs: number
  /** Trial moves in a row that did not pay: six settle the search. */
  readonly misses: number
  /** Probes that failed since the last search: each makes the wait before the next 4 times as long. */
  readonly failedProbes: number
  /** Mean flush latency of recent healthy epochs, ms (an average; null before the first). */
  readonly healthyMs: number | null
  /** Mean items per flush of those epochs (what `healthyMs` was measured at; null before the first). */
  readonly healthyItems: number | null
  /** How far the slowest flush of recent healthy epochs stood above their mean (an average of max ÷ mean, >= 1; null before the first): a steady backend's stalls show sooner. */
  readonly healthySpread: number | null
  /** Share of items failing in recent healthy epochs (an average; 0 at first): errors the backend shows whatever this batcher does. */
  readonly errorFloor: number
  /** Levels at which the backend was overrun, per dimension (Infinity: none seen); moves stay below. */
  readonly overloadAt: { readonly size: number; readonly concurrency: number }
  /** The setting an overload cut from, and its healthy latency: once flushes are that fast again the controller goes straight back to it. */
  readonly recover: { readonly setting: Setting; readonly latencyMs: number } | null
  /** From an overload decision until the next healthy epoch, the multiple of the healthy latency at which attempts from before the last move are cut short (they are the overrun); null otherwise. */
  readonly overrunCut: number | null
  /** The latest move that raised the items in flight: where it came from, and when. An overrun soon after it is its doing. */
  readonly lastRaise: { readonly from: Setting; readonly at: number } | null
}

/** The memory of a fresh autoTune: searching from the start, both dimensions up, first steps of `step` (√2 for both at once), no ceiling. */
export function initialAutoTuneState(step: number): AutoTuneState {
  return {
    seen: -Infinity, since: -Infinity, epoch: emptyEpoch, setting: null, reference: null, trial: false,
    dimension: 'both', direction: { size: 1, concurrency: 1, split: 1, both: 1 }, step: { size: step, concurrency: step, split: step, both: Math.SQRT2 }, phase: 'search', anchor: null, settledEpochs: 0, failedProbes: 0, healthyMs: null, healthyItems: null, healthySpread: null, errorFloor: 0, misses: 0,
    overloadAt: { size: Infinity, concurrency: Infinity }, recover: null, overrunCut: null, lastRaise: null,
  }
}

/** Whether neither the size nor the concurrency of `setting` can go up: each is at its bound or just under its overload ceiling. */
export function upBlocked(setting: Setting, overloadAt: AutoTuneState['overloadAt'], bounds: ControllerInput['bounds']): boolean {
  const sizeBlocked = setting.size >= bounds.size.max || setting.size * SETTLE_STEP >= overloadAt.size
  const concurrencyBlocked = setting.concurrency >= bounds.concurrency.max || setting.concurrency + 1 >= overloadAt.concurrency
  return sizeBlocked && concurrencyBlocked
}

/** The dimension a trial raised from its reference (size first), or null when it raised neither. */
export function raisedBy(trial: Setting, reference: Setting): 'size' | 'concurrency' | null {
  if (trial.size > reference.size) return 'size'
  if (trial.concurrency > reference.concurrency) return 'concurrency'
  return null
}

/** Each healthy epoch lifts the overload ceilings by {@link CEILING_FADE}. */
export function fade(overloadAt: AutoTuneState['overloadAt']): AutoTuneState['overloadAt'] {
  return { size: overloadAt.size * CEILING_FADE, concurrency: overloadAt.concurrency }
}

/** Overload ceilings fade: each search may go half again as high. */
export function relax(overloadAt: AutoTuneState['overloadAt']): AutoTuneState['overloadAt'] {
  return { size: overloadAt.size * 1.5, concurrency: overloadAt.concurrency + 1 }
}

/**
 * The healthy latency scaled to a flush of `items` items (never below it): a batch bigger than
 * the healthy ones may take longer without being stalled. Null before the first healthy epoch.
 */
export function healthyFor(state: AutoTuneState, items: number): number | null {
  if (state.healthyMs === null) return null
  return state.healthyMs * Math.max(1, items / (state.healthyItems ?? items))
}

/** The latency a stall is judged against: the healthy one, scaled to batches of `items` while starting (the start's steps grow the size up to ×4). */
export function stallBase(state: AutoTuneState, items: number): number | null {
  return state.dimension === 'both' ? healthyFor(state, items) : state.healthyMs
}

/**
 * How many times the healthy latency two slow flushes must take to be a stall (one, twice
 * that): twice the healthy spread (slowest ÷ mean), from 2 for a backend whose flushes all take
 * about as long up to `most` for one whose flushes spread widely. A steady backend's stall (a
 * dropped request, a lock) shows sooner; a jumpy one's hiccups are no stall. `most` before the
 * first healthy epoch.
 */
export function stallFactor(state: AutoTuneState, most: number): number {
  const spread = state.healthySpread ?? Infinity
  return Math.min(most, Math.max(2, 2 * spread))
}

/** `factor × ms`, or undefined before there is a healthy latency. */
export function scaled(factor: number, ms: number | null): number | undefined {
  return ms === null ? undefined : factor * ms
}

/** `value` to two decimals, for the figures a decision's reason shows. */
export function round(value: number): number {
  return Math.round(value * 100) / 100
}
