import { assign, setup } from 'xstate'
import type { LoadFeedback } from '../src/feedback.ts'

/** Why a batch was cut: the contract's `info.trigger`. */
export type FlushTrigger = 'size' | 'weight' | 'time' | 'manual' | 'drain'

/**
 * Events the batcher accepts. The first five come from outside (a user, a parent machine);
 * the rest are sent by the batcher's runtime to its own actor, a few per batch at most:
 * items never travel one event each on the fast path (`tryAdd` bypasses the interpreter).
 */
export type BatcherEvent =
  | { type: 'ADD'; item: unknown }
  | { type: 'ADD_MANY'; items: readonly unknown[] }
  | { type: 'FLUSH' }
  | { type: 'FEEDBACK'; feedback: LoadFeedback }
  | { type: 'STOP'; timeoutMs?: number }
  /** A batch was cut and handed to the flush function. */
  | { type: 'BATCH_STARTED'; batchId: number; size: number; trigger: FlushTrigger }
  /** A batch reached its final outcome: flushed, or (after its retries) dead-lettered. */
  | { type: 'BATCH_SETTLED'; batchId: number; ok: boolean; flushed?: readonly unknown[]; failed?: readonly unknown[]; error?: unknown }
  /** The oldest buffered item has waited `maxWaitMs`. */
  | { type: 'TIMEOUT' }
  /** The controller's cadence came round with fresh feedback. */
  | { type: 'TICK' }
  /** Draining found the buffer empty and no flush in flight. */
  | { type: 'DRAINED' }

/** Events out of the batcher actor, for `actor.on(type, fn)`: each settled batch, flushed and dead-lettered items apart. */
export type BatcherEmitted =
  | { type: 'batch.flushed'; batchId: number; items: readonly unknown[] }
  | { type: 'batch.deadLettered'; batchId: number; items: readonly unknown[]; error: unknown }

/** What the statechart itself tracks (what the inspector shows); items live in the runtime. */
export interface BatcherContext {
  /** Batches cut and not yet settled. */
  inFlight: number
  /** The target batch size in force. */
  batchSize: number
  /** Flushes allowed in flight at once. */
  concurrency: number
}

/** Input of the batcher machine: the starting target. */
export interface BatcherInput {
  /** Initial target batch size (default 100). */
  batchSize?: number
  /** Initial concurrency (default 1). */
  concurrency?: number
}

/** The outside events every running state accepts, named once so the states read alike. */
const accepting = {
  ADD: { actions: 'bufferItem' },
  ADD_MANY: { actions: 'bufferItems' },
  FLUSH: { actions: { type: 'cutBatch', params: { trigger: 'manual' } } },
  TIMEOUT: { actions: { type: 'cutBatch', params: { trigger: 'time' } } },
  FEEDBACK: { actions: 'recordFeedback' },
  TICK: { target: 'adjusting' },
  STOP: { target: 'draining' },
} as const

/**
 * The batcher statechart: collecting → flushing → adjusting → draining → stopped.
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
    /** Start the runtime (buffer, timers, feedback subscription) and put its target into context. */
    startRuntime: () => {},
    /** Put one item (from an `ADD` event) into the buffer, or count it dropped when full. */
    bufferItem: () => {},
    /** Put the items of an `ADD_MANY` event into the buffer, dropping (and counting) what does not fit. */
    bufferItems: () => {},
    /** Cut what is buffered into batches now, as far as concurrency allows. */
    cutBatch: (_, _params: { trigger: FlushTrigger }) => {},
    /** Record a `FEEDBACK` sample for the controller. */
    recordFeedback: () => {},
    /** Run the controller and put the new target in force (and into context). */
    adjustTarget: () => {},
    /** Refuse new items, flush all that is buffered, and report `DRAINED` when done. */
    beginDrain: () => {},
    /** Refuse an item offered while draining or stopped (counted as dropped). */
    refuseItem: () => {},
    /** Release timers and subscriptions; settle `stop()`. */
    release: () => {},
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
    batchSize: input?.batchSize ?? 100,
    concurrency: input?.concurrency ?? 1,
  }),
  entry: 'startRuntime',
  initial: 'collecting',
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
          { guard: 'isLastInFlight', target: 'collecting', actions: 'countSettled' },
          { actions: 'countSettled' },
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
        ADD: { actions: 'refuseItem' },
        ADD_MANY: { actions: 'refuseItem' },
        FEEDBACK: { actions: 'recordFeedback' },
        TICK: { actions: 'adjustTarget' },
        BATCH_STARTED: { actions: 'countStarted' },
        BATCH_SETTLED: { actions: 'countSettled' },
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

/** The top-level state names of the batcher: part of the public contract. */
export type BatcherState = 'collecting' | 'flushing' | 'adjusting' | 'draining' | 'stopped'
