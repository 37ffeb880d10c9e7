/**
 * Seeded randomness for the simulator, so a run repeats exactly for a seed.
 *
 * Two kinds: a stream ({@link createRandom}, mulberry32) for draws whose order is fixed by the
 * run (a backend's errors, call after call), and a counter-based hash ({@link hashToUnit}) for
 * draws that must not depend on call order (a load pattern is a pure function of time: asking
 * for t = 5 s before or after t = 3 s gives the same answer).
 */

import { ConfigError } from '../errors.ts'
import { mix32 } from '../hash.ts'

/** A seeded stream of pseudo-random numbers. Not for cryptography. */
export interface Random {
  /** The seed it was created with (after conversion to an unsigned 32-bit integer). */
  readonly seed: number
  /** A uniform number in [0, 1). */
  next(): number
  /** A standard normal number (mean 0, standard deviation 1), by Box–Muller; uses two draws. */
  normal(): number
  /** A uniform integer in [0, maxExclusive); 0 when `maxExclusive` <= 1. */
  int(maxExclusive: number): number
}

/**
 * Creates a {@link Random} stream (mulberry32: 32 bits of state, period 2^32, fast and good
 * enough for simulation). The same seed always gives the same sequence; different seeds give
 * different ones.
 *
 * `seed` must be a finite number; it is truncated to an unsigned 32-bit integer (so `1` and
 * `1 + 2 ** 32` are the same seed). Throws {@link ConfigError} for NaN or ±Infinity.
 *
 * @example
 * const random = createRandom(42)
 * random.next()   // 0.6011037519201636, every time
 */
export function createRandom(seed: number): Random {
  const start = toSeed(seed, 'seed')
  let state = start
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    seed: start,
    next,
    normal() {
      // 1 - next() is in (0, 1], so the log is finite.
      const u = 1 - next()
      const v = next()
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
    },
    int(maxExclusive) {
      return maxExclusive > 1 ? Math.floor(next() * Math.floor(maxExclusive)) : 0
    },
  }
}

/**
 * A uniform number in [0, 1) that depends only on `(seed, index, lane)`: the counter-based
 * counterpart of {@link createRandom}, for random access (slot `index` of a load pattern).
 * `lane` separates independent draws for the same index (e.g. "is this a spike" and "how
 * high"). `index` may be any integer up to 2^53 (negative and fractional values are
 * truncated towards zero, then made non-negative); `seed` is truncated like {@link createRandom}'s.
 */
export function hashToUnit(seed: number, index: number, lane = 0): number {
  const i = Math.abs(Math.trunc(index)) || 0
  const low = i >>> 0
  const high = Math.floor(i / 4294967296) >>> 0
  let h = mix32((seed >>> 0) ^ 0x9e3779b9)
  h = mix32(h ^ low)
  h = mix32(h ^ high ^ Math.imul(lane | 0, 0x85ebca6b))
  return h / 4294967296
}


/** Checks a seed option and converts it to an unsigned 32-bit integer. */
export function toSeed(seed: unknown, field: string): number {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new ConfigError(field, 'a finite number', seed)
  return Math.trunc(seed) >>> 0
}
