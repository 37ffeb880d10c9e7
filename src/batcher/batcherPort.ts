import type { AnyActorRef } from 'xstate'
import type { BatcherState } from '../../machines/batcher.types.ts'
import type { BatcherMetrics } from '../metrics.ts'
import type { StopOptions, WaitOptions, WorkerPort } from '../port.ts'
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

/**
 * The one adapter from a batcher actor (and the runtime behind it) to its port. A class, not an
 * object literal: V8 keeps a literal with getters in dictionary mode, so every `tryAdd` paid a
 * hash lookup. The methods are own arrow functions, so a destructured `tryAdd` still works.
 */
export function batcherPort<T>(actor: AnyActorRef, runtime: BatcherRuntime<T>, capacity: number): BatcherPort<T> {
  return new ActorBatcherPort(actor, runtime, capacity)
}

class ActorBatcherPort<T> implements BatcherPort<T> {
  private stopping: Promise<void> | undefined
  readonly stopped: Promise<void>

  constructor(
    private readonly chartActor: AnyActorRef,
    private readonly runtime: BatcherRuntime<T>,
    readonly capacity: number,
  ) {
    this.stopped = runtime.stopped
  }

  readonly tryAdd = (item: T): boolean => this.runtime.tryAdd(item)
  readonly add = (item: T, options?: WaitOptions): Promise<void> => this.runtime.add(item, options?.signal)
  readonly submit = (item: T, options?: WaitOptions): Promise<void> => this.runtime.submit(item, options?.signal)
  readonly addMany = (items: readonly T[]): number => this.runtime.addMany(items)

  readonly flush = (): Promise<void> => {
    const seq = this.runtime.tailSeq
    this.send({ type: 'FLUSH' })
    return this.runtime.whenSettledBelow(seq)
  }

  readonly stop = (options?: StopOptions): Promise<void> => {
    if (!this.stopping) {
      this.send(options?.timeoutMs === undefined ? { type: 'STOP' } : { type: 'STOP', timeoutMs: options.timeoutMs })
      this.stopping = this.runtime.stopped
    }
    return this.stopping
  }

  readonly metrics = (): BatcherMetrics => this.runtime.metrics(this.state)
  readonly whenRoom = (): Promise<void> => this.runtime.whenSettledBelow(this.runtime.tailSeq - this.capacity + 1)
  readonly abandon = (error: unknown): void => this.runtime.abandon(error)

  get state(): BatcherState {
    this.runtime.syncChart()
    return stateOf(this.chartActor)
  }

  get pending(): number {
    return this.runtime.pending
  }

  private send(event: { type: 'FLUSH' } | { type: 'STOP'; timeoutMs?: number }): void {
    this.runtime.syncChart()
    if (this.chartActor.getSnapshot().status === 'active') this.chartActor.send(event)
  }
}
