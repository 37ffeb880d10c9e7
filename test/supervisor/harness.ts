import type { Controller } from '../../src/controllers/controller.ts'
import type { LoadFeedback } from '../../src/feedback.ts'
import type { FlushInfo } from '../../src/options.ts'

/** A feedback sample that makes {@link crashableController} throw: how the tests crash a worker. */
export const POISON: LoadFeedback = { custom: { poison: { value: 1, weight: 1 } } }

/**
 * A fixed controller whose `score` throws on {@link POISON}. Sending a worker
 * `{ type: 'FEEDBACK', feedback: POISON }` makes the exception escape its `recordFeedback`
 * action, so the worker actor errors: a real crash, as a buggy custom controller would cause.
 */
export function crashableController(): Controller<null> {
  return {
    name: 'crashable',
    intervalMs: 1_000_000,
    initialState: () => null,
    decide: ({ target }) => ({ ...target, state: null }),
    score: (feedback) => {
      if (feedback.custom?.['poison']) throw new Error('controller choked on a poison sample')
      return 0
    },
  }
}

/** A sink that records the items it flushed, in the order the flushes completed; optionally async and gated. */
export function recordingSink<T>(options: { gated?: boolean } = {}) {
  const flushed: T[] = []
  const batches: T[][] = []
  const gates: (() => void)[] = []
  return {
    flushed,
    batches,
    /** Resolves every flush waiting at the gate (gated sinks only). */
    open(): void {
      for (const release of gates.splice(0)) release()
    },
    flush: (batch: T[], info: FlushInfo): Promise<void> | void => {
      if (!options.gated) {
        batches.push(batch)
        flushed.push(...batch)
        return
      }
      return new Promise<void>((resolve, reject) => {
        const abort = () => reject(info.signal.reason)
        info.signal.addEventListener('abort', abort, { once: true })
        gates.push(() => {
          info.signal.removeEventListener('abort', abort)
          if (info.signal.aborted) return reject(info.signal.reason)
          batches.push(batch)
          flushed.push(...batch)
          resolve()
        })
      })
    },
  }
}

/** Checks `itemsAdded = itemsFlushed + itemsFailed + itemsBuffered + itemsInFlight`. */
export function balance(m: { itemsAdded: number; itemsFlushed: number; itemsFailed: number; itemsBuffered: number; itemsInFlight: number }): number {
  return m.itemsAdded - (m.itemsFlushed + m.itemsFailed + m.itemsBuffered + m.itemsInFlight)
}
