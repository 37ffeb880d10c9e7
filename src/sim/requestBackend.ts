/**
 * A request-style backend in the spirit of Vector's adaptive request concurrency simulator
 * (vectordotdev/vector, src/sinks/util/adaptive_concurrency/tests.rs and
 * tests/data/adaptive-concurrency/), re-expressed here: one request per call, a link of
 * `delayMs`, slowing down with the requests in flight (a linear `scale` and a knee), and
 * a limit on requests in flight or per second past which the backend defers (a retriable
 * error after one base delay, like HTTP 429) or drops (never answers).
 *
 * Delay of a request started with `n` in flight (itself included) and `r` requests started in
 * the last second: `delayMs × (1 + jitter × Exp(1) + scale × (n − 1) + kneeExp^(n − kneeStart) − 1)`
 * (the knee term only past `kneeStart`). Pure of clocks: every call takes the time.
 */

import { checkNumber } from '../checkOption.ts'
import { ConfigError } from '../errors.ts'
import { createRandom } from './random.ts'

/** What happens to a request past a limit. */
export type LimitAction = 'defer' | 'drop'

/** A limit on requests in flight or started per second. */
export interface RequestLimit {
  /** Past this level the action applies (the level itself is still served). */
  readonly limit: number
  /** `defer`: a retriable error after one base delay; `drop`: no answer ever. */
  readonly action: LimitAction
}

/** Options of {@link createRequestBackend}. */
export interface RequestBackendOptions {
  /** Base delay of a request, ms (default 100). > 0. */
  readonly delayMs?: number
  /** Mean extra delay as a share of `delayMs`, drawn from Exp(1) (default 0). >= 0. */
  readonly jitter?: number
  /** Extra delay per other request in flight, as a share of `delayMs` (default 0). >= 0. */
  readonly scale?: number
  /** In-flight level past which the delay grows exponentially (default none). */
  readonly kneeStart?: number
  /** Base of that growth (default `scale + 1`). > 1. */
  readonly kneeExp?: number
  /** A limit on requests in flight (default none). */
  readonly concurrencyLimit?: RequestLimit
  /** A limit on requests started in the last second (default none). */
  readonly rateLimit?: RequestLimit
  /** Seed of the jitter (default 1). */
  readonly seed?: number
}

/** The outcome of one request. */
export type RequestOutcome =
  | { readonly kind: 'ok'; readonly latencyMs: number }
  | { readonly kind: 'deferred'; readonly latencyMs: number }
  | { readonly kind: 'dropped' }

/** A request-style backend; see {@link createRequestBackend}. */
export interface RequestBackend {
  /** Starts one request at `nowMs` and says how it ends. The caller reports its end with `end`. */
  start(nowMs: number): RequestOutcome
  /** A request started earlier ended (answered, or given up on by the caller) at `nowMs`. */
  end(nowMs: number): void
  /** The delay of a request at `inFlight` and `rate`, without jitter: what the ideal rate is computed from. */
  delayAt(inFlight: number, rate: number): number
  /** The options in force. */
  readonly options: Required<Omit<RequestBackendOptions, 'concurrencyLimit' | 'rateLimit' | 'kneeStart'>> & Pick<RequestBackendOptions, 'concurrencyLimit' | 'rateLimit' | 'kneeStart'>
}

/**
 * Creates a {@link RequestBackend}. Options are checked; a bad one throws a `ConfigError`.
 *
 * @example createRequestBackend({ delayMs: 100, concurrencyLimit: { limit: 5, action: 'defer' } })
 */
export function createRequestBackend(options: RequestBackendOptions = {}): RequestBackend {
  const delayMs = checkNumber('delayMs', options.delayMs, 100, { min: 0, above: true })
  const jitter = checkNumber('jitter', options.jitter, 0, { min: 0 })
  const scale = checkNumber('scale', options.scale, 0, { min: 0 })
  const kneeStart = options.kneeStart === undefined ? undefined : checkNumber('kneeStart', options.kneeStart, 1, { min: 1 })
  const kneeExp = checkNumber('kneeExp', options.kneeExp, scale + 1, { min: 1 })
  const seed = checkNumber('seed', options.seed, 1, { min: 0 })
  for (const field of ['concurrencyLimit', 'rateLimit'] as const) {
    const limit = options[field]
    if (limit === undefined) continue
    checkNumber(`${field}.limit`, limit.limit, 1, { min: 1 })
    if (limit.action !== 'defer' && limit.action !== 'drop') throw new ConfigError(`${field}.action`, "one of 'defer', 'drop'", limit.action)
  }
  const random = createRandom(seed)
  let inFlight = 0
  const started: number[] = []

  const delayAt = (level: number, _rate: number): number => {
    const knee = kneeStart !== undefined ? kneeExp ** Math.max(0, level - kneeStart) - 1 : 0
    return delayMs * (1 + scale * (level - 1) + knee)
  }
  const rateAt = (nowMs: number): number => {
    while (started.length > 0 && started[0]! <= nowMs - 1000) started.shift()
    return started.length
  }
  const past = (limit: RequestLimit | undefined, level: number): LimitAction | undefined =>
    limit !== undefined && level > limit.limit ? limit.action : undefined

  return {
    options: { delayMs, jitter, scale, kneeStart, kneeExp, seed, concurrencyLimit: options.concurrencyLimit, rateLimit: options.rateLimit },
    delayAt,
    start(nowMs) {
      inFlight++
      started.push(nowMs)
      const rate = rateAt(nowMs)
      const action = past(options.concurrencyLimit, inFlight) ?? past(options.rateLimit, rate)
      const noise = jitter > 0 ? delayMs * jitter * -Math.log(1 - random.next()) : 0
      if (action === 'drop') return { kind: 'dropped' }
      if (action === 'defer') return { kind: 'deferred', latencyMs: delayAt(1, 1) + noise }
      return { kind: 'ok', latencyMs: delayAt(inFlight, rate) + noise }
    },
    end() {
      inFlight = Math.max(0, inFlight - 1)
    },
  }
}
