import { checkKeys } from '../checkOption.ts'
import { ConfigError } from '../errors.ts'
import type { RouteWorker, Router } from './router.ts'

/** Options of {@link roundRobin}. */
export interface RoundRobinOptions {
  /** Items each worker gets in its turn: a positive integer, or `'batch'` (default): one batch of the worker's `size`. */
  readonly run?: number | 'batch'
}

/**
 * Routes items to the workers in turn, a run at a time: by default one batch's worth each
 * (with `size: 100`, items 1–100 to the first worker, 101–200 to the second, …), so each worker
 * fills whole batches and the supervisor picks a worker once per batch instead of once per item
 * (routing item by item cost as much again as a batcher's own `tryAdd`). `run: 1` turns item by
 * item. A run ends early when its worker stops taking items straight away (crashed, or holding
 * items back), when workers are added or removed, and on stop; the next run goes to the next
 * worker in turn.
 * The default router. Fair when items cost alike; blind to load (see {@link leastLoaded}) and to
 * keys (see {@link byKey}). After workers are added or removed the turn carries on over the new set.
 *
 * @example createSupervisor({ worker, workers: { min: 4, max: 4 }, route: roundRobin() })
 */
export function roundRobin<T = unknown>(options: RoundRobinOptions = {}): Router<T> {
  const run = checkKeys('', options, ['run'], 'roundRobin')['run'] ?? 'batch'
  if (run !== 'batch' && !(Number.isInteger(run) && (run as number) >= 1)) throw new ConfigError('run', "a positive integer or 'batch'", run)
  let next = 0
  return {
    name: 'roundRobin',
    run: run as number | 'batch',
    pick(_item: T, _key: unknown, workers: readonly RouteWorker[]): number {
      if (next >= workers.length) next = 0
      return next++
    },
  }
}
