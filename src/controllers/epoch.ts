/**
 * What one setting (size, concurrency) was seen to do: the flushes that started after it came
 * into force, folded into a few sums. {@link autoTune} compares epochs to steer.
 */

import type { FeedbackSample } from './controller.ts'

/** Sums over the flushes of one epoch. */
export interface Epoch {
  /** Flushes (attempts) that ended. */
  readonly flushes: number
  /** Items those flushes carried. */
  readonly items: number
  /** Items that failed in them. */
  readonly failedItems: number
  /** Attempts that failed as overload or timed out (the backend is overrun). */
  readonly overloads: number
  /** Of those, the attempts that timed out. */
  readonly timeouts: number
  /** Sum of the attempts' own durations, ms. */
  readonly busyMs: number
  /** First attempts cut partial by time (work-conserving or `maxWaitMs`): demand, not size, limited them. */
  readonly partial: number
  /** Attempts that started with every flush slot taken. */
  readonly slotsFull: number
  /** Monitor feedback (the user's `feedback$`) scoring 0.85 or more: the backend says it is overrun. */
  readonly monitorAlarms: number
  /** The longest attempt, ms. */
  readonly maxMs: number
  /** The second longest attempt, ms: two slow flushes are a stall, one may be a hiccup. */
  readonly secondMs: number
  /** When the attempt that started last began (scheduler ms; -Infinity for none), and how long it took: one that overtook a running attempt at a healthy pace says that attempt is lost, not slow. */
  readonly lastStart: number
  readonly lastStartMs: number
}

/** An epoch with nothing in it. */
export const emptyEpoch: Epoch = { flushes: 0, items: 0, failedItems: 0, overloads: 0, timeouts: 0, busyMs: 0, partial: 0, slotsFull: 0, monitorAlarms: 0, maxMs: 0, secondMs: 0, lastStart: -Infinity, lastStartMs: 0 }

/**
 * Folds `sample` into `epoch` when it belongs to it: a flush that started at or after
 * `since` with no more flights out than `target.concurrency` (flushes of an earlier setting
 * do not count), or any monitor sample.
 */
export function foldSample(epoch: Epoch, sample: FeedbackSample, since: number, target: { batchSize: number; concurrency: number }): Epoch {
  if (sample.source === 'monitor') return sample.score >= 0.85 ? { ...epoch, monitorAlarms: epoch.monitorAlarms + 1 } : epoch
  const durationMs = Math.max(0, sample.durationMs ?? sample.feedback.latencyMs ?? 0)
  const failedShare = sample.failed ? Math.min(1, Math.max(0, sample.feedback.errorRate ?? 1)) : 0
  const kind = sample.errorKind
  const overload = sample.failed && (kind === undefined || kind === 'overload' || kind === 'timeout')
  const overrun = overload && (kind === 'timeout' || failedShare >= 0.5)
  // Cut under an earlier setting: not this setting's. Retried while more flights were out than the setting allows:
  // not a measure of its goodput, but a timeout it met (it started under this setting) still says the backend is stuck.
  const start = sample.at - durationMs
  if (start < since) return epoch
  const later = start > epoch.lastStart
  if ((sample.inFlight ?? 0) > target.concurrency) return overrun && kind === 'timeout' ? { ...epoch, overloads: epoch.overloads + 1, timeouts: epoch.timeouts + 1 } : epoch
  return {
    flushes: epoch.flushes + 1,
    items: epoch.items + sample.batchSize,
    failedItems: epoch.failedItems + (overload ? failedShare * sample.batchSize : 0),
    overloads: epoch.overloads + (overrun ? 1 : 0),
    timeouts: epoch.timeouts + (overrun && kind === 'timeout' ? 1 : 0),
    busyMs: epoch.busyMs + durationMs,
    partial: epoch.partial + (sample.trigger === 'time' && (sample.attempt ?? 1) === 1 && sample.batchSize < 0.9 * target.batchSize ? 1 : 0),
    slotsFull: epoch.slotsFull + ((sample.inFlight ?? 0) >= target.concurrency ? 1 : 0),
    monitorAlarms: epoch.monitorAlarms,
    maxMs: Math.max(epoch.maxMs, durationMs),
    secondMs: Math.max(epoch.secondMs, Math.min(epoch.maxMs, durationMs)),
    lastStart: later ? start : epoch.lastStart,
    lastStartMs: later ? durationMs : epoch.lastStartMs,
  }
}

/** Mean duration of an attempt, ms (0 for an empty epoch). */
export function meanMs(epoch: Epoch): number {
  return epoch.flushes === 0 ? 0 : epoch.busyMs / epoch.flushes
}

/**
 * Goodput the setting sustains with every slot busy: `concurrency × items that succeeded ÷
 * busy time`, items per second. Failed items and the time they took count against it.
 */
export function goodputOf(epoch: Epoch, concurrency: number): number {
  if (epoch.busyMs <= 0) return 0
  return (concurrency * (epoch.items - epoch.failedItems) * 1000) / epoch.busyMs
}

/** Share of the epoch's items that failed for overload. */
export function overloadShare(epoch: Epoch): number {
  return epoch.items === 0 ? 0 : epoch.failedItems / epoch.items
}

