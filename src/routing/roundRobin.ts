import type { RouteWorker, Router } from './router.ts'

/**
 * Routes items to the workers in turn: item 1 to the first, item 2 to the second, …
 * The default router. Fair when items cost alike; blind to load (see {@link leastLoaded}) and to
 * keys (see {@link byKey}). After workers are added or removed the turn carries on over the new set.
 *
 * @example createSupervisor({ worker, workers: { min: 4, max: 4 }, route: roundRobin() })
 */
export function roundRobin<T = unknown>(): Router<T> {
  let next = 0
  return {
    name: 'roundRobin',
    pick(_item: T, _key: unknown, workers: readonly RouteWorker[]): number {
      if (next >= workers.length) next = 0
      return next++
    },
  }
}
