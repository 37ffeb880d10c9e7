/**
 * A virtual-time driver for the simulator tests: `concurrency` callers each send a batch of
 * `batchSize` items, wait until the backend ends it, and send the next, for `durationMs`.
 * Stands in for the batcher to measure a fixed size's goodput.
 */

import type { BackendCall, SimulatedBackend } from '../../src/sim/index.ts'

/** What a closed-loop run measured. */
export interface ClosedLoopResult {
  /** Items that succeeded per second of virtual time. */
  readonly itemsPerSecond: number
  /** Share of the items sent (in every call made, finished in time or not) that failed. */
  readonly errorRate: number
  /** Mean latency of a call that ended in the window, ms. */
  readonly meanLatencyMs: number
  /** Calls that ended in the window. */
  readonly calls: number
}

/** Runs `concurrency` back-to-back callers of `batchSize` against `backend` until `durationMs`. */
export function runClosedLoop(backend: SimulatedBackend, batchSize: number, options: { concurrency?: number; durationMs: number; startMs?: number }): ClosedLoopResult {
  const concurrency = options.concurrency ?? 1
  const startMs = options.startMs ?? 0
  const endMs = startMs + options.durationMs
  let good = 0
  let sent = 0
  let failedItems = 0
  let latencySum = 0
  let calls = 0
  const send = (at: number): BackendCall => {
    const call = backend.call(batchSize, at)
    sent += batchSize
    failedItems += call.ok ? 0 : (call.failedIndexes?.length ?? batchSize)
    return call
  }
  // Callers start staggered by 1 ms each, so the order of simultaneous calls is fixed.
  const inFlight = Array.from({ length: concurrency }, (_, i) => send(startMs + i))
  // Count as done only what ends inside the window, so a slow last call is not free.
  for (let next = backend.nextEndMs(); next <= endMs; next = backend.nextEndMs()) {
    backend.advanceTo(next)
    inFlight.forEach((call, i) => {
      const result = call.result()
      if (!result) return
      good += batchSize - (result.ok ? 0 : (result.failedIndexes?.length ?? batchSize))
      latencySum += result.latencyMs
      calls++
      inFlight[i] = send(result.endMs)
    })
  }
  return {
    itemsPerSecond: (good * 1000) / options.durationMs,
    errorRate: sent > 0 ? failedItems / sent : 0,
    meanLatencyMs: calls > 0 ? latencySum / calls : 0,
    calls,
  }
}
