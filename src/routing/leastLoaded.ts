import type { RouteWorker, Router } from './router.ts'

/**
 * Routes each item to the worker with the fewest items buffered plus in flight, the first in
 * order on a tie. A worker stuck on a slow flush stops receiving items until it catches up.
 * Costs one read per worker per item: fine for tens of workers.
 *
 * @example createSupervisor({ worker, workers: { min: 2, max: 8 }, route: leastLoaded() })
 */
export function leastLoaded<T = unknown>(): Router<T> {
  return {
    name: 'leastLoaded',
    pick(_item: T, _key: unknown, workers: readonly RouteWorker[]): number {
      let best = 0
      let bestLoad = Infinity
      for (let i = 0; i < workers.length; i++) {
        const load = workers[i]!.load()
        if (load < bestLoad) {
          best = i
          bestLoad = load
          if (load === 0) break
        }
      }
      return best
    },
  }
}
