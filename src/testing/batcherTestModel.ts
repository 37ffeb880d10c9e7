import { TestModel } from '@xstate/graph'
import type { SnapshotFrom } from 'xstate'
import { batcherMachine, type BatcherEvent, type BatcherInput } from '../../machines/batcher.machine.ts'

/** A snapshot of the batcher statechart, as the test model walks it. */
export type BatcherSnapshot = SnapshotFrom<typeof batcherMachine>

/** Bounds of the batcher's test model: they keep the number of states, and so of paths, finite. */
export interface BatcherTestModelOptions {
  /** The batch size the model's `BATCH_STARTED` events carry, and the machine's input (default 2). */
  readonly batchSize?: number
  /** Most batches in flight at once: `BATCH_STARTED` is offered only below it (default 2). */
  readonly concurrency?: number
}

/**
 * The events the batcher can produce in `snapshot`, each offered only where the real batcher
 * can produce it: a batch starts while a flush slot is free, settles while one is in flight,
 * and `DRAINED` comes when draining found nothing in flight. Without these bounds the chart
 * accepts `BATCH_STARTED` forever and `inFlight` (part of the state) grows without end, which
 * is why `createTestModel(batcherMachine).getShortestPaths()` never finishes.
 */
export function batcherModelEvents(options: BatcherTestModelOptions = {}): (snapshot: BatcherSnapshot) => BatcherEvent[] {
  const { batchSize, concurrency } = resolve(options)
  return (snapshot) => {
    const { inFlight } = snapshot.context
    const events: BatcherEvent[] = []
    if (snapshot.matches('collecting') || snapshot.matches('flushing')) {
      if (inFlight < concurrency) events.push({ type: 'BATCH_STARTED', batchId: 0, size: batchSize, trigger: 'size' })
      events.push({ type: 'TICK' }, { type: 'FLUSH' }, { type: 'FEEDBACK', feedback: { cpu: 0.5 } }, { type: 'STOP' })
    }
    if (inFlight > 0 && !snapshot.matches('stopped')) events.push({ type: 'BATCH_SETTLED', batchId: 0, ok: true })
    if (snapshot.matches('draining') && inFlight === 0) events.push({ type: 'DRAINED' })
    return events
  }
}

/**
 * The part of a batcher snapshot that decides what it does next: its state and the batches in
 * flight. The target size and concurrency in context change with every `TICK`, so keeping
 * them would make every adjustment a new state.
 */
export function serializeBatcherSnapshot(snapshot: BatcherSnapshot): string {
  return JSON.stringify([snapshot.value, snapshot.context.inFlight])
}

/**
 * A finite `@xstate/graph` test model of the batcher statechart (`machines/batcher.machine.ts`):
 * its shortest and simple paths reach every state. Replay each path against a real
 * `createBatcher` (with a {@link manualSink} and {@link createVirtualTime}) to check the runtime
 * does what the chart says.
 *
 * Built on `TestModel` rather than `createTestModel`, which would add every event type a state
 * handles to the events given, and so offer `BATCH_STARTED` past the concurrency bound.
 *
 * @example
 * const model = createBatcherTestModel({ batchSize: 2, concurrency: 2 })
 * for (const path of model.getShortestPaths()) it(path.description, () => path.test({ states, events }))
 */
export function createBatcherTestModel(options: BatcherTestModelOptions = {}): TestModel<BatcherSnapshot, BatcherEvent, BatcherInput | undefined> {
  const { batchSize, concurrency } = resolve(options)
  return new TestModel<BatcherSnapshot, BatcherEvent, BatcherInput | undefined>(batcherMachine, {
    input: { batchSize, concurrency },
    events: batcherModelEvents(options),
    serializeState: serializeBatcherSnapshot,
  })
}

function resolve(options: BatcherTestModelOptions): Required<BatcherTestModelOptions> {
  return { batchSize: options.batchSize ?? 2, concurrency: options.concurrency ?? 2 }
}
