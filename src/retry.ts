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

/** {@link RetryOptions} with every default filled in. */
export type RetryPolicy = Required<RetryOptions>

/** The retry defaults of DESIGN.md: 3 attempts, 100 ms doubling to 10 s, with jitter. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 100, maxBackoffMs: 10_000, jitter: true }

/** Checks `options` and fills in defaults; `field` prefixes the names in a {@link ConfigError}. */
export function resolveRetry(options: RetryOptions | undefined, field = 'retry'): RetryPolicy {
  const policy = { ...DEFAULT_RETRY, ...options }
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1) {
    throw new ConfigError(`${field}.attempts`, 'an integer >= 1 (tries in all, the first included)', policy.attempts)
  }
  if (!(policy.backoffMs >= 0) || !Number.isFinite(policy.backoffMs)) {
    throw new ConfigError(`${field}.backoffMs`, 'a finite number >= 0', policy.backoffMs)
  }
  if (!(policy.maxBackoffMs >= policy.backoffMs)) {
    throw new ConfigError(`${field}.maxBackoffMs`, `a number >= backoffMs (${policy.backoffMs})`, policy.maxBackoffMs)
  }
  if (typeof policy.jitter !== 'boolean') throw new ConfigError(`${field}.jitter`, 'a boolean', policy.jitter)
  return policy
}

/**
 * The delay before retry number `retry` (1 for the first retry): `backoffMs × 2^(retry-1)`,
 * capped at `maxBackoffMs`; with jitter, a uniform draw from [delay/2, delay].
 * `random` is injectable so a simulation repeats exactly.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const delay = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.max(0, retry - 1))
  return policy.jitter ? delay / 2 + (random() * delay) / 2 : delay
}
