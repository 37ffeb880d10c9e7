/**
 * Load feedback from PostgreSQL, polled on an interval while someone listens: clients waiting
 * for a pool connection (`queueDepth` out of `queueCapacity`, the pool's size) and sessions
 * waiting for a lock on the server (`locks`, from `pg_locks`). A poll that fails is skipped.
 */

import { interval, Observable, exhaustMap, from, filter, type SchedulerLike } from 'rxjs'
import type { LoadFeedback } from '../feedback.ts'
import type { PostgresPool } from './pool.ts'

/** Sessions waiting for a lock, server-wide. */
export const lockWaitsQuery = 'SELECT count(*)::int AS waiting FROM pg_locks WHERE NOT granted'

/** Polls `pool` every `intervalMs` on `scheduler` and emits what it saw. Cold: nothing runs until subscribed. */
export function postgresFeedback(pool: PostgresPool, intervalMs: number, scheduler: SchedulerLike): Observable<LoadFeedback> {
  return interval(intervalMs, scheduler).pipe(
    exhaustMap(() => from(poll(pool))),
    filter((feedback): feedback is LoadFeedback => feedback !== undefined),
  )
}

async function poll(pool: PostgresPool): Promise<LoadFeedback | undefined> {
  const waiting = pool.waitingCount
  const queue = typeof waiting === 'number' ? { queueDepth: waiting, queueCapacity: Math.max(1, pool.options?.max ?? 10) } : {}
  try {
    const result = await pool.query(lockWaitsQuery)
    return { ...queue, locks: Number(result.rows[0]?.['waiting'] ?? 0) }
  } catch {
    return Object.keys(queue).length > 0 ? queue : undefined
  }
}
