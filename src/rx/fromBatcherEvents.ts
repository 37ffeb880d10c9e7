import { Observable } from 'rxjs'
import type { BatcherEmitted } from '../../machines/batcher.machine.ts'
import type { Batcher } from '../batcher/createBatcher.ts'
import { ConfigError } from '../errors.ts'

/** A batch that reached its final outcome: its items were flushed, or dead-lettered with the error. */
export type SettledBatch<T> =
  | { readonly type: 'flushed'; readonly batchId: number; readonly items: T[] }
  | { readonly type: 'deadLettered'; readonly batchId: number; readonly items: T[]; readonly error: unknown }

/**
 * An Observable of a batcher's settled batches, from the actor's emitted events
 * (`batch.flushed`, `batch.deadLettered`).
 *
 * Emits once per settled batch with the items that were flushed, and once more with the items
 * that were dead-lettered when some failed for good (a partly failed batch can give both, in
 * that order). Completes when the batcher has stopped (at once if it already has); never
 * errors. Hot: a subscriber sees only batches that settle after it subscribed. Unsubscribing
 * removes the listeners and leaves the batcher running.
 *
 * @example
 * fromBatcherEvents(batcher).pipe(filter((b) => b.type === 'deadLettered')).subscribe((b) => alert(b.items.length, b.error))
 */
export function fromBatcherEvents<T>(batcher: Pick<Batcher<T>, 'actor' | 'tryAdd'>): Observable<SettledBatch<T>> {
  const actor = batcher?.actor
  if (typeof actor?.on !== 'function') throw new ConfigError('batcher', 'a batcher from createBatcher (with its `actor`)', batcher)
  return new Observable<SettledBatch<T>>((subscriber) => {
    const onFlushed = actor.on('batch.flushed', (event) => {
      const { batchId, items } = event as Extract<BatcherEmitted, { type: 'batch.flushed' }>
      subscriber.next({ type: 'flushed', batchId, items: items as T[] })
    })
    const onDeadLettered = actor.on('batch.deadLettered', (event) => {
      const { batchId, items, error } = event as Extract<BatcherEmitted, { type: 'batch.deadLettered' }>
      subscriber.next({ type: 'deadLettered', batchId, items: items as T[], error })
    })
    const done = () => subscriber.complete()
    const lifetime = actor.getSnapshot().status === 'active' ? actor.subscribe({ complete: done, error: done }) : (done(), undefined)
    return () => {
      onFlushed.unsubscribe()
      onDeadLettered.unsubscribe()
      lifetime?.unsubscribe()
    }
  })
}
