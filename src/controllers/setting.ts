/** A point in (batch size, concurrency) space that autoTune holds, and the moves it makes there. */
import { clampTo, type Bounds, type ControlTarget } from './controller.ts'

/**
 * What a move changes: the size, the concurrency, both at once keeping items in flight
 * (`split`: more, smaller batches), or, while starting, both the same way (`both`).
 */
export type Dimension = 'size' | 'concurrency' | 'split' | 'both'

/** A setting the controller holds: the size unrounded, so small steps add up. */
export interface Setting {
  readonly size: number
  readonly concurrency: number
}

/** `setting` one step along `dimension`: `step`× (at least 1) up or down; `split` keeps items in flight and trades size for concurrency. */
export function stepped(setting: Setting, dimension: Dimension, direction: 1 | -1, step: number): Setting {
  if (dimension === 'both') return { size: stepped(setting, 'size', direction, step).size, concurrency: stepped(setting, 'concurrency', direction, Math.SQRT2).concurrency }
  if (dimension === 'size') {
    return { ...setting, size: direction > 0 ? Math.max(setting.size + 1, setting.size * step) : Math.min(setting.size - 1, setting.size / step) }
  }
  const k = setting.concurrency
  const concurrency = direction > 0 ? Math.max(k + 1, Math.round(k * step)) : Math.min(k - 1, Math.round(k / step))
  if (dimension === 'concurrency') return { ...setting, concurrency }
  return { concurrency, size: (setting.size * k) / Math.max(1, concurrency) }
}

/** `setting` inside `bounds` (the size stays unrounded). */
export function clampSetting(setting: Setting, bounds: { size: Bounds; concurrency: Bounds }): Setting {
  const size = Number.isFinite(setting.size) ? Math.min(bounds.size.max, Math.max(bounds.size.min, setting.size)) : bounds.size.min
  return { size, concurrency: clampTo(setting.concurrency, bounds.concurrency) }
}

/** The target a setting puts in force: rounded and inside `bounds`. */
export function roundSetting(setting: Setting, bounds: { size: Bounds; concurrency: Bounds }): ControlTarget {
  return { batchSize: clampTo(setting.size, bounds.size), concurrency: clampTo(setting.concurrency, bounds.concurrency) }
}

/** Whether two settings put the same target in force. */
export function sameRounded(a: Setting, b: Setting, bounds: { size: Bounds; concurrency: Bounds }): boolean {
  const x = roundSetting(a, bounds)
  const y = roundSetting(b, bounds)
  return x.batchSize === y.batchSize && x.concurrency === y.concurrency
}

/** The next dimension in the cycle size → concurrency → split (a start on both leads to size). */
export function other(dimension: Dimension): Dimension {
  return dimension === 'size' ? 'concurrency' : dimension === 'concurrency' ? 'split' : 'size'
}
