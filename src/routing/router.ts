/** One worker as a router sees it. */
export interface RouteWorker {
  /** The worker's stable slot name (its systemId without prefix, e.g. `worker-2`); a restarted worker keeps it. */
  readonly id: string
  /** A 32-bit hash of `id`, computed once, for rendezvous hashing. */
  readonly idHash: number
  /** Items buffered plus in flight in this worker right now. */
  load(): number
}

/**
 * Picks a worker for each item, or for each run of items (see `run`). Called on the
 * supervisor's hot path, so a router must be cheap and allocation-free. `workers` is never empty
 * and its order is stable between membership changes.
 */
export interface Router<T> {
  /** For messages and metrics. */
  readonly name: string
  /**
   * Index into `workers` of the worker that gets `item`. `key` is the key the producer gave
   * (`ADD { key }`); keyed routers fall back to their own key function when it is undefined.
   */
  pick(item: T, key: unknown, workers: readonly RouteWorker[]): number
  /**
   * True when the same key must keep going to the same worker (byKey): the supervisor then
   * holds back the items whose owner changes while workers are added or removed, until the old
   * owner has flushed, so per-key order survives scaling.
   */
  readonly keyed?: boolean
  /**
   * How many items in a row go where `pick` sent the first of them: a positive integer, or
   * `'batch'` for one batch of a worker (its `size`, the initial one when it adapts; 1 when the
   * workers are supervisors). Default 1: `pick` is asked for every item. The supervisor asks
   * again sooner when the worker stops taking items straight away (it crashed, or holds items
   * back), when workers are added or removed, and on stop. Ignored by a keyed router.
   */
  readonly run?: number | 'batch'
}
