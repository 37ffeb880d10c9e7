import type { AnyActorRef } from 'xstate'
import { createBatcherLogic, stateOf } from '../batcher/createBatcher.ts'
import type { LeftoverTaker } from '../batcher/flight.ts'
import type { BatcherOptions } from '../batcher/batcherOptions.ts'
import type { WorkerLogic, WorkerPort } from '../port.ts'

/** Batcher logic as a worker: each spawned child has its own runtime, reached through `portOf`. */
export function batcherWorkerLogic<T>(options: BatcherOptions<T>, capacity: number, takeLeftovers: LeftoverTaker<T>): WorkerLogic<T> {
  const { logic, runtimeOf } = createBatcherLogic(options, takeLeftovers)
  const ports = new WeakMap<AnyActorRef, WorkerPort<T>>()
  return {
    logic,
    portOf(actor) {
      const known = ports.get(actor)
      if (known) return known
      const runtime = runtimeOf(actor)
      if (!runtime) return undefined
      const port: WorkerPort<T> = {
        tryAdd: (item) => runtime.tryAdd(item),
        add: (item, signal) => runtime.add(item, signal),
        submit: (item, signal) => runtime.submit(item, signal),
        get pending() {
          return runtime.pending
        },
        capacity,
        whenRoom: () => runtime.whenSettledBelow(runtime.tailSeq - capacity + 1),
        flush() {
          const seq = runtime.tailSeq
          actor.send({ type: 'FLUSH' })
          return runtime.whenSettledBelow(seq)
        },
        metrics: () => runtime.metrics(stateOf(actor)),
        stopped: runtime.stopped,
        abandon: (error) => runtime.abandon(error),
      }
      ports.set(actor, port)
      return port
    },
  }
}

