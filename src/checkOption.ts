/**
 * Checks of numeric options (simulator, controllers), each failing with a {@link ConfigError} that
 * names the field and the rule ("Expected `capacity` to be a number > 0, got `0`").
 */

import { ConfigError } from './errors.ts'

/** The range a numeric option must lie in; every bound is optional. */
export interface NumberRule {
  /** Lowest allowed value (inclusive unless `above` is set). */
  readonly min?: number
  /** Highest allowed value, inclusive. */
  readonly max?: number
  /** When true, the value must be strictly greater than `min`. */
  readonly above?: boolean
  /** When true, the value must be an integer. */
  readonly integer?: boolean
}

/**
 * Returns `value` when it is `undefined` (giving `fallback`) or a finite number within `rule`;
 * otherwise throws a {@link ConfigError} naming `field`. `Infinity` is accepted only when
 * `rule.max` is `Infinity` itself; NaN never is.
 */
export function checkNumber(field: string, value: unknown, fallback: number, rule: NumberRule = {}): number {
  if (value === undefined) return fallback
  const { min, max, above = false, integer = false } = rule
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (Number.isFinite(value) || (value === Infinity && max === Infinity)) &&
    (!integer || Number.isInteger(value) || value === Infinity) &&
    (min === undefined || (above ? value > min : value >= min)) &&
    (max === undefined || value <= max)
  if (!ok) throw new ConfigError(field, describeRule(rule), value)
  return value
}

function describeRule({ min, max, above = false, integer = false }: NumberRule): string {
  const kind = integer ? 'an integer' : 'a number'
  const bounded = max !== undefined && max !== Infinity
  if (min !== undefined && bounded) return above ? `${kind} > ${min} and <= ${max}` : `${kind} in ${min}..${max}`
  if (min !== undefined) return `${kind} ${above ? '>' : '>='} ${min}`
  if (bounded) return `${kind} <= ${max}`
  return integer ? 'a finite integer' : 'a finite number'
}

/**
 * Returns `value` when it is a finite number passing `isValid`; otherwise throws a
 * {@link ConfigError} naming `field` with `rule` in words. For rules a range cannot say
 * (e.g. "<= high").
 */
export function checkFinite(field: string, value: unknown, rule: string, isValid: (value: number) => boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !isValid(value)) throw new ConfigError(field, rule, value)
  return value
}
