/**
 * A virtual-time driver for the simulator tests: `concurrency` callers each send a batch of
 * `batchSize` items, wait its latency, and send the next, for `durationMs`. Stands in for
 * the batcher (not ready when these tests were written) to measure a fixed size's goodput.
 */

import type { SimulatedBackend } from '../../src/sim/index.ts'

/** What a closed-loop run measured. */
export interface ClosedLoopResult {
  /** Items that succeeded per second of virtual time. */
  readonly itemsPerSecond: number
  /** Share of the items sent (in every call made, finished in time or not) that failed. */
  readonly errorRate: number
  /** Mean latency of a call, ms. */
  readonly meanLatencyMs: number
  /** Calls made. */
  readonly calls: number
}

/** Runs `concurrency` back-to-back callers of `batchSize` against `backend` until `durationMs`. */
export function runClosedLoop(backend: SimulatedBackend, batchSize: number, options: { concurrency?: number; durationMs: number; startMs?: number }): ClosedLoopResult {
  const concurrency = options.concurrency ?? 1
  const startMs = options.startMs ?? 0
  const endMs = startMs + options.durationMs
  // Callers start staggered by 1 ms each, so the order of simultaneous calls is fixed.
  const nextAt = Array.from({ length: concurrency }, (_, i) => startMs + i)
  let good = 0
  let sent = 0
  let failedItems = 0
  let latencySum = 0
  let calls = 0
  for (;;) {
    let caller = 0
    for (let i = 1; i < concurrency; i++) if (nextAt[i]! < nextAt[caller]!) caller = i
    const now = nextAt[caller]!
    if (now >= endMs) break
    const result = backend.call(batchSize, now)
    const failed = result.ok ? 0 : (result.failedIndexes?.length ?? batchSize)
    sent += batchSize
    failedItems += failed
    // Count as done only what finishes inside the window, so a slow last call is not free.
    if (result.endMs <= endMs) good += batchSize - failed
    latencySum += result.latencyMs
    calls++
    nextAt[caller] = result.endMs
  }
  return {
    itemsPerSecond: (good * 1000) / options.durationMs,
    errorRate: sent > 0 ? failedItems / sent : 0,
    meanLatencyMs: calls > 0 ? latencySum / calls : 0,
    calls,
  }
}
