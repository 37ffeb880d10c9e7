/**
 * Runs one batcher in request style (batch size 1, concurrency fixed or adapted) against a
 * {@link RequestBackend} in virtual time, producers offering as fast as the batcher accepts:
 * the yardstick's re-expression of Vector's adaptive request concurrency simulator.
 */

import { createBatcher } from '../batcher/createBatcher.ts'
import type { Controller } from '../controllers/controller.ts'
import type { Adaptive } from '../batcher/batcherOptions.ts'
import { createVirtualTime } from '../virtualTime.ts'
import { createRandom } from './random.ts'
import { createRequestBackend, type RequestBackendOptions } from './requestBackend.ts'

/** Options of {@link runRequests}. */
export interface RequestRunOptions {
  /** The backend. */
  readonly backend: RequestBackendOptions
  /** Flushes in flight: fixed, or a range the controller adapts (default `{ initial: 1, min: 1, max: 200 }`, Vector's). */
  readonly concurrency?: Adaptive
  /** The controller (default: the batcher's default for a range). */
  readonly controller?: Controller<any>
  /** Length of the run, virtual ms (default 30 000). */
  readonly durationMs?: number
  /** A request without an answer fails after this long, ms (default 1000: ten round trips). */
  readonly flushTimeoutMs?: number
  /** Seed of retry jitter (default 1). */
  readonly seed?: number
}

/** What a request-style run measured. */
export interface RequestRunResult {
  /** Requests that succeeded per second of the run. */
  readonly ratePerSecond: number
  /** Requests dead-lettered during the run (every retry failed); what is left at the end is not counted. */
  readonly deadLettered: number
  /** Mean concurrency limit over the run, sampled every 100 ms. */
  readonly meanConcurrency: number
}

/** Runs the batcher for `durationMs` and counts what succeeded; leftovers at the end are abandoned, not counted. */
export async function runRequests(options: RequestRunOptions): Promise<RequestRunResult> {
  const durationMs = options.durationMs ?? 30_000
  const time = createVirtualTime()
  const backend = createRequestBackend(options.backend)
  const jitter = createRandom(options.seed ?? 1)
  let succeeded = 0
  let deadLettered = 0
  const batcher = createBatcher<number>({
    size: 1,
    concurrency: options.concurrency ?? { initial: 1, min: 1, max: 200 },
    ...(options.controller ? { controller: options.controller } : {}),
    flushTimeoutMs: options.flushTimeoutMs ?? 1000,
    retry: { attempts: 20, backoffMs: 50, maxBackoffMs: 1000 },
    scheduler: time.scheduler,
    random: () => jitter.next(),
    onDeadLetter: (items) => {
      deadLettered += items.length
    },
    flush: (_batch, info) => {
      const outcome = backend.start(time.now())
      return new Promise<void>((resolve, reject) => {
        let ended = false
        const end = () => {
          if (!ended) backend.end(time.now())
          ended = true
        }
        // An aborted request ends at the backend and fails at once, as fetch's does.
        info.signal.addEventListener('abort', () => {
          end()
          reject(info.signal.reason)
        }, { once: true })
        if (outcome.kind === 'dropped') return
        time.scheduler.schedule(() => {
          // Aborted already: it failed then, and its answer goes nowhere (it must not count as a success).
          if (info.signal.aborted) return
          end()
          if (outcome.kind === 'ok') {
            succeeded++
            resolve()
          } else reject(new Error('429 Too Many Requests'))
        }, outcome.latencyMs)
      })
    },
  })
  let concurrencySum = 0
  let samples = 0
  for (let at = 0; at < durationMs; at += 100) {
    while (batcher.tryAdd(at)) {
      // fill to capacity: producers as fast as accepted
    }
    await time.advanceBy(100)
    concurrencySum += batcher.metrics().concurrency
    samples++
  }
  const rate = (succeeded * 1000) / durationMs
  const failed = deadLettered
  const stopped = batcher.stop({ timeoutMs: 0 })
  await time.advanceBy(1)
  await stopped
  return { ratePerSecond: rate, deadLettered: failed, meanConcurrency: concurrencySum / samples }
}
