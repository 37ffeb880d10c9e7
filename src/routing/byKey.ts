import { mix32 } from '../hash.ts'
import { ConfigError } from '../errors.ts'
import type { RouteWorker, Router } from './router.ts'

/** A key: what items with the same key have in common. Strings and numbers hash by value; anything else by `String(key)`. */
export type RouteKey = string | number | bigint | boolean | null | undefined | object

/**
 * Routes every item with the same key to the same worker, so per-key order holds (a worker
 * flushes its batches in order at `concurrency: 1`).
 *
 * The owner of a key is chosen by rendezvous (highest-random-weight) hashing over the workers'
 * stable slot names: adding a worker moves only the keys it wins (about 1/n of them), removing
 * one moves only its own keys, and a restarted worker keeps its slot name and so its keys.
 * Why not a plain `hash % n`: that reshuffles almost every key on each scaling step.
 *
 * Order across a move is kept by the supervisor, not here: while a worker is added or retired,
 * items whose owner changes are held back until the old owner has flushed (added: the old
 * owners cut and settle what they hold; retired: the worker drains and stops); then the held
 * items go to the new owner, in order, before any later item of those keys.
 *
 * @param keyOf the key of an item; a key given with `ADD { key }` wins over it. Default: the item itself.
 * @example createSupervisor({ worker, workers: { min: 2, max: 6 }, route: byKey((order) => order.customerId) })
 */
export function byKey<T = unknown>(keyOf: (item: T) => RouteKey = (item) => item as RouteKey): Router<T> {
  if (typeof keyOf !== 'function') throw new ConfigError('route', 'byKey(keyOf) with keyOf a function (item) => key', keyOf)
  return {
    name: 'byKey',
    keyed: true,
    pick(item: T, key: unknown, workers: readonly RouteWorker[]): number {
      return ownerOf(hashKey(key === undefined ? keyOf(item) : key), workers)
    },
  }
}

/** The index of the worker that owns the key hashed to `keyHash`: the highest rendezvous weight wins. */
export function ownerOf(keyHash: number, workers: readonly RouteWorker[]): number {
  let best = 0
  let bestWeight = -1
  for (let i = 0; i < workers.length; i++) {
    const weight = mix32(keyHash ^ workers[i]!.idHash)
    if (weight > bestWeight) {
      best = i
      bestWeight = weight
    }
  }
  return best
}

/** FNV-1a over the key's string form (numbers by value, so `1` and `'1'` share an owner). */
export function hashKey(key: unknown): number {
  if (typeof key === 'number' && key >= 0 && key <= 0x7fffffff && (key | 0) === key && !Object.is(key, -0)) return hashDigits(key)
  const text = typeof key === 'string' ? key : String(key)
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** Decimal digits of a small integer, least significant first (reused: no string per key). */
const DIGITS = new Uint8Array(10)

/** {@link hashKey} of a non-negative 31-bit integer, over its decimal digits without making the string. */
function hashDigits(n: number): number {
  let count = 0
  do {
    DIGITS[count++] = 48 + (n % 10)
    n = (n / 10) | 0
  } while (n > 0)
  let hash = 0x811c9dc5
  while (count > 0) {
    hash ^= DIGITS[--count]!
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

