import type { AnyActorRef } from 'xstate'
import type { BatcherState } from '../../machines/batcher.types.ts'
import type { BatcherMetrics } from '../metrics.ts'
import type { WorkerPort } from '../port.ts'
import type { BatcherRuntime } from './batcherRuntime.ts'

/** A batcher actor's port: the batcher's own embedding API, and what a supervisor uses of a worker. */
export interface BatcherPort<T> extends WorkerPort<T> {
  metrics(): BatcherMetrics
  readonly state: BatcherState
}

/**
 * The contract's state of a batcher actor: `stopped` once the actor is no longer running,
 * however it ended (drained, stopped from outside by `actor.stop()` or a parent, or errored).
 */
export function stateOf(actor: AnyActorRef): BatcherState {
  const snapshot = actor.getSnapshot()
  return snapshot.status === 'active' ? (snapshot.value as BatcherState) : 'stopped'
}

/** The one adapter from a batcher actor (and the runtime behind it) to its port. */
export function batcherPort<T>(actor: AnyActorRef, runtime: BatcherRuntime<T>, capacity: number): BatcherPort<T> {
  let stopping: Promise<void> | undefined
  const state = (): BatcherState => {
    runtime.syncChart()
    return stateOf(actor)
  }
  const send = (event: { type: 'FLUSH' } | { type: 'STOP'; timeoutMs?: number }) => {
    runtime.syncChart()
    if (actor.getSnapshot().status === 'active') actor.send(event)
  }
  return {
    tryAdd: (item) => runtime.tryAdd(item),
    add: (item, options) => runtime.add(item, options?.signal),
    submit: (item, options) => runtime.submit(item, options?.signal),
    addMany: (items) => runtime.addMany(items),
    flush() {
      const seq = runtime.tailSeq
      send({ type: 'FLUSH' })
      return runtime.whenSettledBelow(seq)
    },
    stop(options) {
      if (!stopping) {
        send(options?.timeoutMs === undefined ? { type: 'STOP' } : { type: 'STOP', timeoutMs: options.timeoutMs })
        stopping = runtime.stopped
      }
      return stopping
    },
    metrics: () => runtime.metrics(state()),
    get state() {
      return state()
    },
    get pending() {
      return runtime.pending
    },
    capacity,
    whenRoom: () => runtime.whenSettledBelow(runtime.tailSeq - capacity + 1),
    stopped: runtime.stopped,
    abandon: (error) => runtime.abandon(error),
  }
}
