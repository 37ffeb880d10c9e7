/**
 * The yardstick's request-style scenarios, after Vector's adaptive concurrency test data
 * (tests/data/adaptive-concurrency/*.yaml: a 100 ms link; no limit; jitter; a shallow
 * knee above 10 in flight; 429s above 5 in flight or above 100 requests/s; silent drops
 * above 5), each with the ideal rate its model allows within the concurrency bounds.
 */

import type { RequestBackendOptions } from '../requestBackend.ts'
import { createRequestBackend } from '../requestBackend.ts'

/** One scenario: its backend and where the ideal comes from. */
export interface RequestScenario {
  readonly name: string
  readonly backend: RequestBackendOptions
}

/** Vector's scenarios, re-expressed (delays in ms). */
export const requestScenarios: readonly RequestScenario[] = [
  { name: 'constant link 100 ms', backend: { delayMs: 100 } },
  { name: 'jittery link (jitter 0.1)', backend: { delayMs: 100, jitter: 0.1 } },
  { name: 'shallow knee above 10', backend: { delayMs: 100, kneeStart: 10, kneeExp: 1.1 } },
  { name: '429 above 5 in flight', backend: { delayMs: 100, concurrencyLimit: { limit: 5, action: 'defer' } } },
  { name: '429 above 100 req/s', backend: { delayMs: 100, rateLimit: { limit: 100, action: 'defer' } } },
  { name: 'drops above 5 in flight', backend: { delayMs: 100, concurrencyLimit: { limit: 5, action: 'drop' } } },
]

/**
 * The best steady rate of successful requests with at most `maxConcurrency` in flight:
 * max over n of n / delay(n) (mean delay, jitter included), no more than `n` past a
 * concurrency limit, no more than a rate limit.
 */
export function idealRate(scenario: RequestScenario, maxConcurrency: number): number {
  const backend = createRequestBackend(scenario.backend)
  const { jitter, delayMs, concurrencyLimit, rateLimit } = backend.options
  let best = 0
  const top = Math.min(maxConcurrency, concurrencyLimit?.limit ?? Infinity)
  for (let n = 1; n <= top; n++) {
    const rate = (n * 1000) / (backend.delayAt(n, 0) + jitter * delayMs)
    best = Math.max(best, Math.min(rate, rateLimit?.limit ?? Infinity))
  }
  return best
}
