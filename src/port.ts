import type { AnyActorLogic, AnyActorRef } from 'xstate'
import type { BatcherMetrics } from './metrics.ts'

/** What a supervisor needs of a worker: the data plane behind one worker actor. Items go straight in, never as events. */
export interface WorkerPort<T> {
  tryAdd(item: T): boolean
  add(item: T, signal?: AbortSignal): Promise<void>
  submit(item: T, signal?: AbortSignal): Promise<void>
  /** Items buffered plus in flight; read per item by `leastLoaded`. */
  readonly pending: number
  /** Items buffered plus in flight before `tryAdd` refuses. */
  readonly capacity: number
  /** Resolves when there is room for at least one item. */
  whenRoom(): Promise<void>
  /** Cuts everything buffered; resolves when it has settled. */
  flush(): Promise<void>
  metrics(): WorkerMetrics
  /** Settles when the worker stopped (drained, or failed and gave up what it held). */
  readonly stopped: Promise<void>
  /** Gives up on everything unsettled, dead-lettering it with `error`. */
  abandon(error: unknown): void
}

/** Actor logic to run as a worker, with the way to reach each worker actor's data plane. */
export interface WorkerLogic<T> {
  readonly logic: AnyActorLogic
  portOf(actor: AnyActorRef): WorkerPort<T> | undefined
}

/** A worker's counters, as a batcher reports them; `state` is the worker's state (a batcher's or a supervisor's). */
export type WorkerMetrics = Omit<BatcherMetrics, 'state'> & { state: string }

