import type { AnyActorRef } from 'xstate'
import type { FlushInfo } from '../../src/batcher/flushFunction.ts'

/**
 * Crashes a worker actor the way an exception escaping one of its actions does: XState's own
 * error path (`_process` catching a throw sets the snapshot to `error` and calls `_error`), so
 * the parent gets `xstate.error.actor` and the worker's runtime gives up its items. Every user
 * callback of a batcher is guarded (a throwing controller, weigh or logger never crashes it),
 * so the tests reach a crash through the actor itself.
 */
export function crash(worker: AnyActorRef | undefined, error: unknown = new Error('the worker crashed')): void {
  const actor = worker as unknown as { _snapshot: object; _error(error: unknown): void; getSnapshot(): { status: string } } | undefined
  if (!actor || actor.getSnapshot().status !== 'active') return
  actor._snapshot = { ...actor._snapshot, status: 'error', error }
  actor._error(error)
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
