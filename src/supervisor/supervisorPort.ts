import type { AnyActorRef } from 'xstate'
import type { SupervisorState } from '../../machines/supervisor.types.ts'
import type { WorkerPort } from '../port.ts'
import type { SupervisorMetrics } from './supervisorMetrics.ts'
import type { SupervisorRuntime } from './supervisorRuntime.ts'

/** A supervisor actor's port: the supervisor's embedding API, and what a parent supervisor uses of it as a worker. */
export interface SupervisorPort<T> extends WorkerPort<T> {
  /** Stops routing, drains every worker; resolves when all stopped, rejects with SupervisorEscalatedError if it escalated. Idempotent. */
  stop(options?: { readonly timeoutMs?: number }): Promise<void>
  /** Summed counters plus one entry per worker; never waits. */
  metrics(): SupervisorMetrics
  /** The supervisor's state. */
  readonly state: SupervisorState
}

/**
 * The contract's state of a supervisor actor: `failed` once it escalated, `stopped` once it is no
 * longer running for any other reason (drained, or stopped from outside by `actor.stop()`).
 */
export function stateOf(actor: AnyActorRef): SupervisorState {
  const snapshot = actor.getSnapshot()
  if (snapshot.status === 'active') return snapshot.value as SupervisorState
  return snapshot.status === 'error' ? 'failed' : 'stopped'
}

/** The one adapter from a supervisor actor (and the runtime behind it) to its port. */
export function supervisorPort<T>(actor: AnyActorRef, runtime: SupervisorRuntime<T>): SupervisorPort<T> {
  let stopping: Promise<void> | undefined
  return {
    tryAdd: (item) => runtime.tryAdd(item),
    add: (item, options) => runtime.add(item, options?.signal),
    submit: (item, options) => runtime.submit(item, options?.signal),
    addMany: (items) => runtime.addMany(items),
    flush: () => runtime.flush(),
    stop(options) {
      if (!stopping) {
        if (actor.getSnapshot().status === 'active') actor.send(options?.timeoutMs === undefined ? { type: 'STOP' } : { type: 'STOP', timeoutMs: options.timeoutMs })
        stopping = runtime.finished.then((outcome) => {
          if (outcome === 'failed') throw runtime.escalationError()
        })
      }
      return stopping
    },
    metrics: () => runtime.metrics(stateOf(actor)),
    get state() {
      return stateOf(actor)
    },
    get pending() {
      return runtime.pending
    },
    capacity: runtime.capacity,
    whenRoom: () => runtime.whenRoom(),
    stopped: runtime.stopped,
    abandon: (error) => runtime.abandon(error),
  }
}
