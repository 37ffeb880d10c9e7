import { assertEvent, assign, emit, setup } from 'xstate'
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, type BatcherContext, type BatcherEvent, type BatcherInput, type FlushTrigger } from './batcher.types.ts'

export type { BatcherContext, BatcherEmitted, BatcherEvent, BatcherInput, BatcherState, DropReason, FlushTrigger, OutsideEvent, TargetReason } from './batcher.types.ts'

/** The outside events every running state accepts, named once so the states read alike. */
const accepting = {
  ADD: { actions: 'bufferItem' },
  ADD_MANY: { actions: 'bufferItems' },
  FLUSH: { actions: { type: 'cutBatch', params: { trigger: 'manual' } } },
  TIMEOUT: { actions: { type: 'cutBatch', params: { trigger: 'time' } } },
  FEEDBACK: { actions: 'recordFeedback' },
  TICK: { target: 'adjusting' },
  TARGET_CHANGED: { actions: ['setTarget', 'announceTarget'] },
  STOP: { target: 'draining' },
} as const

/** Items offered while draining: refused and counted, the same way in both charts. */
const refusing = {
  ADD: { actions: 'refuseItem' },
  ADD_MANY: { actions: 'refuseItem' },
} as const

/**
 * The batcher statechart: collecting → flushing → adjusting → draining → stopped.
 *
 * The runtime sends only what changes the state or the target: `BATCH_STARTED` and
 * `BATCH_SETTLED` as the count of batches in flight changes, reconciled a moment after each
 * change (a batch that starts and settles meanwhile, as with a flush that answers at once, is
 * never sent), and per-batch detail in one `REPORT` then, emitted from here for
 * `actor.on(...)` (collected only while someone listens, or an inspector is attached).
 *
 * Pure: every effect is a named action whose implementation the runtime in `src/` provides
 * with `.provide()`; time arrives as `TIMEOUT` and `TICK` events, so `@xstate/graph` can walk
 * it and the inspector can draw it.
 */
export const batcherMachine = setup({
  types: {
    context: {} as BatcherContext,
    events: {} as BatcherEvent,
    input: {} as BatcherInput | undefined,
  },
  actions: {
    /** Start the runtime (buffer, timers, feedback subscription); it reports its target with `TARGET_CHANGED` when it differs from the input. */
    startRuntime: () => {},
    /** Put one item (from an `ADD` event) into the buffer, or count it dropped when full. */
    bufferItem: () => {},
    /** Put the items of an `ADD_MANY` event into the buffer, dropping (and counting) what does not fit. */
    bufferItems: () => {},
    /** Cut what is buffered into batches now, as far as concurrency allows. */
    cutBatch: (_, _params: { trigger: FlushTrigger }) => {},
    /** Record a `FEEDBACK` sample for the controller. */
    recordFeedback: () => {},
    /** Run the controller and put the new target in force; the runtime reports a change with `TARGET_CHANGED`. */
    adjustTarget: () => {},
    /** Refuse new items, flush all that is buffered, and report `DRAINED` when done. */
    beginDrain: () => {},
    /** Refuse an item offered while draining or stopped (counted as dropped). */
    refuseItem: () => {},
    /** Release timers and subscriptions; settle `stop()`. */
    release: () => {},
    /** Emit the per-batch detail a `REPORT` or `BATCH_SETTLED` carries (`batch.flushed`, `batch.deadLettered`, `items.dropped`). */
    emitReport: () => {},
    /** Put the target the runtime reported into context. */
    setTarget: assign(({ event }) => (event.type === 'TARGET_CHANGED' ? { batchSize: event.batchSize, concurrency: event.concurrency } : {})),
    /** Emit `target.changed` with the controller's reason. */
    announceTarget: emit(({ event }) => {
      assertEvent(event, 'TARGET_CHANGED')
      const { batchSize, concurrency, reason } = event
      return reason === undefined ? { type: 'target.changed' as const, batchSize, concurrency } : { type: 'target.changed' as const, batchSize, concurrency, reason }
    }),
    countStarted: assign({ inFlight: ({ context }) => context.inFlight + 1 }),
    countSettled: assign({ inFlight: ({ context }) => Math.max(0, context.inFlight - 1) }),
  },
  guards: {
    /** The batch that just settled was the only one in flight. */
    isLastInFlight: ({ context }) => context.inFlight <= 1,
    /** At least one batch is in flight. */
    hasFlushInFlight: ({ context }) => context.inFlight > 0,
  },
}).createMachine({
  id: 'batcher',
  context: ({ input }) => ({
    inFlight: 0,
    batchSize: input?.batchSize ?? DEFAULT_BATCH_SIZE,
    concurrency: input?.concurrency ?? DEFAULT_CONCURRENCY,
  }),
  entry: 'startRuntime',
  initial: 'collecting',
  on: {
    REPORT: { actions: 'emitReport' },
  },
  states: {
    collecting: {
      description: 'Items accumulate in the buffer; a batch is cut at the target size, after maxWaitMs, or on FLUSH.',
      on: {
        ...accepting,
        BATCH_STARTED: { target: 'flushing', actions: 'countStarted' },
      },
    },
    flushing: {
      description: 'Up to `concurrency` batches are in the flush function; adding goes on meanwhile.',
      on: {
        ...accepting,
        BATCH_STARTED: { actions: 'countStarted' },
        BATCH_SETTLED: [
          { guard: 'isLastInFlight', target: 'collecting', actions: ['countSettled', 'emitReport'] },
          { actions: ['countSettled', 'emitReport'] },
        ],
      },
    },
    adjusting: {
      description: 'The controller turns the latest feedback into the next batch size and concurrency.',
      entry: 'adjustTarget',
      always: [{ guard: 'hasFlushInFlight', target: 'flushing' }, { target: 'collecting' }],
    },
    draining: {
      description: 'After STOP: no new items; every buffered item is flushed and every flush settles.',
      entry: 'beginDrain',
      on: {
        ...refusing,
        FEEDBACK: { actions: 'recordFeedback' },
        TICK: { actions: 'adjustTarget' },
        TARGET_CHANGED: { actions: ['setTarget', 'announceTarget'] },
        BATCH_STARTED: { actions: 'countStarted' },
        BATCH_SETTLED: { actions: ['countSettled', 'emitReport'] },
        DRAINED: { target: 'stopped' },
      },
    },
    stopped: {
      description: 'Final: every accepted item was flushed or handed to onDeadLetter.',
      type: 'final',
      entry: 'release',
    },
  },
})
