import type { ScaleOptions } from './supervisorOptions.ts'
import type { Held, Slot } from './slot.ts'

/**
 * The worker count the load asks for: one more above the high water (items buffered, in flight
 * and held per worker, as a share of one worker's capacity) or the high score (the live
 * workers' mean load score), one fewer below both low marks, else as many as now.
 */
export function desiredWorkers<T>(routeSet: readonly Slot<T>[], scale: Required<ScaleOptions>, workerCapacity: number): number {
  const count = routeSet.length
  let pending = 0
  let score = 0
  let live = 0
  for (const slot of routeSet) {
    pending += slot.load()
    if (slot.port) {
      score += slot.port.metrics().loadScore
      live++
    }
  }
  const depth = pending / count / workerCapacity
  const meanScore = live === 0 ? 0 : score / live
  if (depth > scale.highWater || meanScore > scale.highScore) return count + 1
  if (depth < scale.lowWater && meanScore < scale.lowScore) return count - 1
  return count
}

/** A scaling step of a keyed router: items whose owner changes wait here until the old owners flushed. */
export interface Handoff<T> {
  /** The routing set before the step. */
  readonly from: readonly Slot<T>[]
  /** Items whose owner changes, with their new slot, in arrival order. */
  readonly queue: { slot: Slot<T>; held: Held<T> }[]
  /** Settles when the old owners flushed and the queue went to the new ones. */
  readonly done: Promise<void>
}

/** Starts a handoff from `from`; once `barrier` settles, `release` gets the queue (the handoff is over). */
export function startHandoff<T>(from: readonly Slot<T>[], barrier: Promise<unknown>, release: (queue: Handoff<T>['queue']) => void): Handoff<T> {
  const queue: Handoff<T>['queue'] = []
  return { from, queue, done: barrier.then(() => release(queue)) }
}
