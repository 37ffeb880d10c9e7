/**
 * The simulated backend driven from an RxJS scheduler, as a flush function meets it: a call
 * starts now and its promise settles at the moment the backend says it ended. One timer wakes
 * at the next end the backend foresees, and is set again whenever a call starts (which slows
 * the others), so every call settles on time in virtual time as in real time.
 */

import type { SchedulerLike, Subscription } from 'rxjs'
import type { SimulatedBackend } from './backend.ts'
import type { BackendCall, BackendCallResult } from './backendCall.ts'

/**
 * Starts a call of `batchSize` items; settles with its outcome when it ended (a failed call
 * resolves too: the caller decides what to throw). An abort of `signal` cancels the call, as
 * a sink that cancels its query does: it stops loading the backend and settles failed.
 */
export type ScheduledBackendCall = (batchSize: number, signal?: AbortSignal) => Promise<BackendCallResult>

/**
 * Calls `backend` on `scheduler`, `now()` giving the run's time in ms.
 *
 * @example
 * const send = backendOnScheduler(createSimulatedBackend(), scheduler, () => scheduler.now() - start)
 * const flush = async (batch: Row[]) => { const r = await send(batch.length); if (!r.ok) throw new Error('overloaded'); return r.feedback }
 */
export function backendOnScheduler(backend: SimulatedBackend, scheduler: SchedulerLike, now: () => number): ScheduledBackendCall {
  const waiting = new Map<BackendCall, (result: BackendCallResult) => void>()
  let wake: Subscription | undefined

  const settle = (): void => {
    backend.advanceTo(now())
    for (const [call, resolve] of waiting) {
      const result = call.result()
      if (result) {
        waiting.delete(call)
        resolve(result)
      }
    }
    wake?.unsubscribe()
    wake = undefined
    const next = backend.nextEndMs()
    if (waiting.size > 0 && next !== Infinity) wake = scheduler.schedule(settle, Math.max(0, next - now()))
  }

  return (batchSize, signal) =>
    new Promise<BackendCallResult>((resolve) => {
      const call = backend.call(batchSize, now())
      const cancel = () => {
        backend.cancel(call, now())
        settle()
      }
      // The listener goes with the call: a signal that outlives it (a long-lived controller's) keeps nothing alive.
      waiting.set(call, (result) => {
        signal?.removeEventListener('abort', cancel)
        resolve(result)
      })
      signal?.addEventListener('abort', cancel, { once: true })
      if (signal?.aborted) cancel()
      else settle()
    })
}
