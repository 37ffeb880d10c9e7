/**
 * Checks of options (batcher, supervisor, routers, simulator, controllers), each failing with a
 * {@link ConfigError} that names the field by its path and the rule ("Expected `capacity` to be
 * a number > 0, got `0`"; "Expected `worker.maxWait` to be a known option of createBatcher, got
 * `100`; did you mean `worker.maxWaitMs`?"). No check coerces: a string is never a number.
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
  if (min !== undefined) return `${kind} ${above ? '>' : '>='} ${min}${max === Infinity ? ', or Infinity' : ''}`
  if (bounded) return `${kind} <= ${max}`
  return integer ? 'a finite integer' : 'a finite number'
}

/** `prefix.key`, or `key` at the top level. */
export function fieldPath(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`
}

/**
 * Returns `value` as a record when it is a plain object (not null, not an array) whose every key
 * is in `known`; otherwise throws a {@link ConfigError} naming `field`, or the unknown key by its
 * path with the nearest known name ("did you mean `maxWaitMs`?"). `owner` says whose options
 * these are (e.g. `createBatcher`); `elsewhere` maps a name that belongs to another factory to
 * the hint that sends the user there.
 */
export function checkKeys(field: string, value: unknown, known: readonly string[], owner: string, elsewhere: Readonly<Record<string, string>> = {}): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(field === '' ? 'options' : field, `an options object of ${owner} (${known.join(', ')})`, value)
  }
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue
    if (Object.hasOwn(elsewhere, key)) throw new ConfigError(fieldPath(field, key), `a known option of ${owner} (${known.join(', ')})`, (value as Record<string, unknown>)[key], elsewhere[key])
    const near = nearest(key, known)
    throw new ConfigError(fieldPath(field, key), `a known option of ${owner} (${known.join(', ')})`, (value as Record<string, unknown>)[key], near === undefined ? undefined : `did you mean \`${fieldPath(field, near)}\`?`)
  }
  return value as Record<string, unknown>
}

/** The known name closest to `key` (case aside, then by edit distance), if any is close enough to be a typo. */
export function nearest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const name of known) {
    const distance = name.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key.toLowerCase(), name.toLowerCase())
    if (distance < bestDistance) {
      best = name
      bestDistance = distance
    }
  }
  const slack = Math.max(2, Math.floor(key.length / 3))
  return bestDistance <= slack || (best !== undefined && (best.startsWith(key) || key.startsWith(best))) ? best : undefined
}

/** Levenshtein distance: edits (insert, delete, replace) turning `a` into `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

/** Returns `value` when it is a function (or `undefined` when optional and not given); otherwise throws a {@link ConfigError}. */
export function checkFunction<F>(field: string, value: F | undefined, rule = 'a function', optional = true): F | undefined {
  if (value === undefined && optional) return undefined
  if (typeof value !== 'function') throw new ConfigError(field, rule, value)
  return value
}

/** Returns `value` when it is a boolean, `fallback` when it is `undefined`; otherwise throws a {@link ConfigError}. */
export function checkBoolean(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw new ConfigError(field, 'a boolean', value)
  return value
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

/** An RxJS SchedulerLike: an object with `now()` and `schedule()`. */
export function checkScheduler(field: string, scheduler: unknown): void {
  const s = scheduler as { now?: unknown; schedule?: unknown } | null
  if (typeof s !== 'object' || s === null || typeof s.now !== 'function' || typeof s.schedule !== 'function') {
    throw new ConfigError(field, 'an RxJS SchedulerLike ({ now(), schedule() })', scheduler)
  }
}
