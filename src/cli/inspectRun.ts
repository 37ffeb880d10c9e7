/**
 * `loadbatch simulate --inspect`: a batcher named `batcher` and a supervisor with three worker
 * batchers (`worker-0` … `worker-2`), each writing to its own simulated backend, shown live in
 * the Stately inspector. Producers offer items at `--rate` (default 200/s) for `--duration`;
 * then both drain, the inspector connection is flushed and closed, and the process can exit.
 */

import { asyncScheduler, type SchedulerLike } from 'rxjs'
import { createBatcher } from '../batcher/createBatcher.ts'
import type { Controller } from '../controllers/controller.ts'
import type { LoadFeedback } from '../feedback.ts'
import type { Adaptive } from '../batcher/batcherOptions.ts'
import { createSimulatedBackend, type SimulatedBackend } from '../sim/backend.ts'
import { backendOnScheduler } from '../sim/backendOnScheduler.ts'
import { createLoadPattern } from '../sim/loadPatterns.ts'
import { createSupervisor } from '../supervisor/createSupervisor.ts'
import { createVirtualTime } from '../virtualTime.ts'
import { connectInspector } from './inspectorConnection.ts'

/** Settings of an inspected run (from the simulate flags). */
export interface InspectRunOptions {
  /** The inspector's WebSocket URL. */
  readonly url: string
  readonly durationMs: number
  readonly ratePerSecond: number
  readonly pattern: string
  readonly seed: number
  readonly size: Adaptive
  readonly maxWaitMs: number
  /** Makes a fresh controller (each batcher gets its own). */
  readonly controller: () => Controller<any>
  readonly clock: 'real' | 'virtual'
  readonly warn: (message: string) => void
}

/** What an inspected run did. */
export interface InspectRunSummary {
  readonly connected: boolean
  readonly eventsSent: number
  /** Items offered to each of the two (the same items to both). */
  readonly itemsOffered: number
  readonly batcherItemsFlushed: number
  /** Items the backend still failed after their retries (the simulated backend errs under load spikes). */
  readonly batcherItemsDeadLettered: number
  readonly supervisorItemsFlushed: number
  readonly supervisorItemsDeadLettered: number
  readonly workers: number
}

const WORKERS = 3
const PRODUCER_TICK_MS = 50

/** Runs the batcher and the supervisor under the inspector; resolves once both stopped and the connection closed. */
export async function runInspected(options: InspectRunOptions): Promise<InspectRunSummary> {
  const connection = await connectInspector(options.url, { warn: options.warn })
  const virtual = options.clock === 'virtual' ? createVirtualTime() : undefined
  const scheduler: SchedulerLike = virtual?.scheduler ?? asyncScheduler
  const start = scheduler.now()
  const now = () => scheduler.now() - start
  const common = { size: options.size, maxWaitMs: options.maxWaitMs, scheduler }
  const batcher = createBatcher<number>({
    ...common, name: 'batcher', controller: options.controller(), inspect: connection.inspect,
    flush: flushTo(backendFor(options, options.seed), now, scheduler),
  })
  const workerBackend = backendFor(options, options.seed + 1)
  const pool = createSupervisor<number>({
    worker: { ...common, controller: options.controller(), flush: flushTo(workerBackend, now, scheduler) },
    workers: { min: WORKERS, max: WORKERS },
    inspect: connection.inspect,
    scheduler,
  })

  // Items due by the time that passed (not per tick), so late timers in real time keep the rate.
  let next = 0
  const offerDueUntil = (at: number) => {
    for (const due = Math.floor((options.ratePerSecond * at) / 1000 + 1e-9); next < due; next++) {
      batcher.tryAdd(next)
      pool.tryAdd(next)
    }
  }
  const finished = (async () => {
    while (now() < options.durationMs) {
      offerDueUntil(now())
      await new Promise<void>((resolve) => scheduler.schedule(() => resolve(), PRODUCER_TICK_MS))
    }
    offerDueUntil(options.durationMs)
    await Promise.all([batcher.stop(), pool.stop()])
  })()
  if (virtual) {
    let done = false
    void finished.finally(() => (done = true))
    while (!done) await virtual.advanceBy(PRODUCER_TICK_MS)
  }
  await finished
  await connection.close()
  return {
    connected: connection.connected,
    eventsSent: connection.sent,
    itemsOffered: next,
    batcherItemsFlushed: batcher.metrics().itemsFlushed,
    batcherItemsDeadLettered: batcher.metrics().itemsFailed,
    supervisorItemsFlushed: pool.metrics().itemsFlushed,
    supervisorItemsDeadLettered: pool.metrics().itemsFailed,
    workers: WORKERS,
  }
}

function backendFor(options: InspectRunOptions, seed: number): SimulatedBackend {
  return createSimulatedBackend({ pattern: createLoadPattern(options.pattern, { seed }), seed })
}

/** A flush function that calls the simulated backend and settles when the call ended. */
function flushTo(backend: SimulatedBackend, now: () => number, scheduler: SchedulerLike) {
  const send = backendOnScheduler(backend, scheduler, now)
  return async (batch: number[]): Promise<LoadFeedback> => {
    const result = await send(batch.length)
    if (!result.ok) throw new Error('the backend is overloaded')
    return result.feedback
  }
}
