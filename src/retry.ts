import { checkBoolean, checkKeys, checkNumber } from './checkOption.ts'
import { ConfigError } from './errors.ts'

/** How failed flushes are retried. */
export interface RetryOptions {
  /** Tries in all, the first included (default 3); 1 means no retry. */
  readonly attempts?: number
  /** Delay before the first retry, in ms (default 100); it doubles each retry. */
  readonly backoffMs?: number
  /** Ceiling of the delay, in ms (default 10 000). */
  readonly maxBackoffMs?: number
  /** Spread each delay at random over [delay/2, delay] so retries do not stampede (default true). */
  readonly jitter?: boolean
}

/** A doubling wait with a ceiling: what a retry of a flush and a restart of a worker share. */
export interface BackoffPolicy {
  /** The first wait, in ms; it doubles each time. */
  readonly backoffMs: number
  /** Ceiling of the wait, in ms. */
  readonly maxBackoffMs: number
  /** Spread each wait at random over [wait/2, wait]. */
  readonly jitter: boolean
}

/** {@link RetryOptions} with every default filled in. */
export interface RetryPolicy extends BackoffPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number
}

/** The retry defaults of DESIGN.md: 3 attempts, 100 ms doubling to 10 s, with jitter. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 100, maxBackoffMs: 10_000, jitter: true }

/**
 * Checks `options` and fills in defaults; `field` prefixes the names in a {@link ConfigError}.
 * `maxBackoffMs` defaults to the larger of 10 000 and `backoffMs`, so a long first backoff alone is valid.
 */
export function resolveRetry(options: RetryOptions | undefined, field = 'retry'): RetryPolicy {
  if (options === undefined) return DEFAULT_RETRY
  checkKeys(field, options, ['attempts', 'backoffMs', 'maxBackoffMs', 'jitter'], 'retry')
  const attempts = checkNumber(`${field}.attempts`, options.attempts, DEFAULT_RETRY.attempts, { min: 1, integer: true })
  const jitter = checkBoolean(`${field}.jitter`, options.jitter, DEFAULT_RETRY.jitter)
  return { attempts, ...resolveBackoff(field, options, jitter) }
}

/**
 * Checks `backoffMs` and `maxBackoffMs` of the options at `field` (a retry's or a restart's) and
 * fills in the defaults: 100 ms, doubling up to the larger of 10 000 and `backoffMs`.
 */
export function resolveBackoff(field: string, options: { readonly backoffMs?: number; readonly maxBackoffMs?: number }, jitter: boolean): BackoffPolicy {
  const backoffMs = checkNumber(`${field}.backoffMs`, options.backoffMs, DEFAULT_RETRY.backoffMs, { min: 0 })
  const maxBackoffMs = checkNumber(`${field}.maxBackoffMs`, options.maxBackoffMs, Math.max(DEFAULT_RETRY.maxBackoffMs, backoffMs), { min: 0, max: Infinity })
  if (maxBackoffMs < backoffMs) throw new ConfigError(`${field}.maxBackoffMs`, `a number >= ${field}.backoffMs (${backoffMs})`, maxBackoffMs)
  return { backoffMs, maxBackoffMs, jitter }
}

/**
 * The delay before retry number `retry` (1 for the first retry): `backoffMs × 2^(retry-1)`,
 * capped at `maxBackoffMs`; with jitter, a uniform draw from [delay/2, delay].
 * `random` is injectable so a simulation repeats exactly.
 */
export function backoffDelay(retry: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const delay = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.max(0, retry - 1))
  return policy.jitter ? delay / 2 + (random() * delay) / 2 : delay
}
