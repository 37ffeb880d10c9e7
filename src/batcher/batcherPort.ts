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
 * hash lookup. The methods live on the prototype: a supervisor's call site that serves several
 * workers stays monomorphic (an own function per port made `tryAdd` ~1.3× slower with two).
 * What `createBatcher` returns also carries them bound ({@link withBoundMethods}).
 */
export function batcherPort<T>(actor: AnyActorRef, runtime: BatcherRuntime<T>, capacity: number): BatcherPort<T> {
  return new ActorBatcherPort(actor, runtime, capacity)
}

/** What a port hands its items to: a batcher's or a supervisor's runtime. */
interface ItemEntry<T> {
  tryAdd(item: T): boolean
  add(item: T, signal?: AbortSignal): Promise<void>
  submit(item: T, signal?: AbortSignal): Promise<void>
  addMany(items: readonly T[]): number
}

/** The entry of items every port shares: straight to its runtime, never through the interpreter. */
export abstract class EntryPort<T, R extends ItemEntry<T>> {
  constructor(protected readonly runtime: R) {}

  tryAdd(item: T): boolean {
    return this.runtime.tryAdd(item)
  }

  add(item: T, options?: WaitOptions): Promise<void> {
    return this.runtime.add(item, options?.signal)
  }

  submit(item: T, options?: WaitOptions): Promise<void> {
    return this.runtime.submit(item, options?.signal)
  }

  addMany(items: readonly T[]): number {
    return this.runtime.addMany(items)
  }
}

class ActorBatcherPort<T> extends EntryPort<T, BatcherRuntime<T>> implements BatcherPort<T> {
  private stopping: Promise<void> | undefined
  readonly stopped: Promise<void>

  constructor(
    private readonly chartActor: AnyActorRef,
    runtime: BatcherRuntime<T>,
    readonly capacity: number,
  ) {
    super(runtime)
    this.stopped = runtime.stopped
  }

  flush(): Promise<void> {
    const seq = this.runtime.tailSeq
    this.send({ type: 'FLUSH' })
    return this.runtime.whenSettledBelow(seq)
  }

  stop(options?: StopOptions): Promise<void> {
    if (!this.stopping) {
      this.send(options?.timeoutMs === undefined ? { type: 'STOP' } : { type: 'STOP', timeoutMs: options.timeoutMs })
      this.stopping = this.runtime.stopped
    }
    return this.stopping
  }

  metrics(): BatcherMetrics {
    return this.runtime.metrics(this.state)
  }

  whenRoom(): Promise<void> {
    return this.runtime.whenSettledBelow(this.runtime.tailSeq - this.capacity + 1)
  }

  abandon(error: unknown): void {
    this.runtime.abandon(error)
  }

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

/** The methods of a port (an `ItemPort`, and a `WorkerPort` besides). */
const PORT_METHODS = ['tryAdd', 'add', 'submit', 'addMany', 'flush', 'stop', 'metrics', 'whenRoom', 'abandon'] as const

/**
 * `port` with its methods also as own bound functions, so `const { submit } = batcher` and
 * `{ flush: batcher.flush }` work as they always did. Only for what users get: inside a
 * supervisor, worker ports keep prototype methods (one call site, many workers).
 */
export function withBoundMethods<P extends object>(port: P): P {
  const methods = port as unknown as Record<string, unknown>
  for (const name of PORT_METHODS) {
    const method = methods[name]
    if (typeof method === 'function') methods[name] = method.bind(port)
  }
  return port
}
