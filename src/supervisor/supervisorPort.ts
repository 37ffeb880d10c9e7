import type { AnyActorRef } from 'xstate'
import type { SupervisorState } from '../../machines/supervisor.types.ts'
import type { StopOptions, WorkerPort } from '../port.ts'
import { EntryPort } from '../batcher/batcherPort.ts'
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

/**
 * The one adapter from a supervisor actor (and the runtime behind it) to its port: a class with
 * prototype methods, like the batcher's (an object literal with getters is a dictionary to V8;
 * each call was a lookup).
 */
export function supervisorPort<T>(actor: AnyActorRef, runtime: SupervisorRuntime<T>): SupervisorPort<T> {
  return new ActorSupervisorPort(actor, runtime)
}

class ActorSupervisorPort<T> extends EntryPort<T, SupervisorRuntime<T>> implements SupervisorPort<T> {
  private stopping: Promise<void> | undefined
  readonly capacity: number
  readonly stopped: Promise<void>

  constructor(
    private readonly chartActor: AnyActorRef,
    runtime: SupervisorRuntime<T>,
  ) {
    super(runtime)
    this.capacity = runtime.capacity
    this.stopped = runtime.stopped
  }

  /**
   * Its own `tryAdd`, not the shared entry's: that one then serves only batcher ports, so the
   * worker's `tryAdd` inside `route` is not a recursive call of the same function (V8 would not
   * inline it; the 4-worker supervisor was ~1.3× slower with the shared one).
   */
  override tryAdd(item: T): boolean {
    return this.runtime.tryAdd(item)
  }

  flush(): Promise<void> {
    return this.runtime.pool.flush()
  }

  stop(options?: StopOptions): Promise<void> {
    if (!this.stopping) {
      const actor = this.chartActor
      if (actor.getSnapshot().status === 'active') actor.send(options?.timeoutMs === undefined ? { type: 'STOP' } : { type: 'STOP', timeoutMs: options.timeoutMs })
      this.stopping = this.runtime.finished.then((outcome) => {
        if (outcome === 'failed') throw this.runtime.escalationError()
      })
    }
    return this.stopping
  }

  metrics(): SupervisorMetrics {
    return this.runtime.metrics(stateOf(this.chartActor))
  }

  whenRoom(): Promise<void> {
    return this.runtime.pool.whenRoom()
  }

  abandon(error: unknown): void {
    this.runtime.abandon(error)
  }

  get state(): SupervisorState {
    return stateOf(this.chartActor)
  }

  get pending(): number {
    return this.runtime.pending
  }
}
