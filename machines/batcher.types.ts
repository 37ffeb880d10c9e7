import type { LoadFeedback } from './feedback.types.ts'

/** Why a batch was cut: the contract's `info.trigger`. */
export type FlushTrigger = 'size' | 'weight' | 'time' | 'manual' | 'drain'

/** The target batch size a batcher starts with when none is given. */
export const DEFAULT_BATCH_SIZE = 100
/** The flushes in flight a batcher allows when none is given. */
export const DEFAULT_CONCURRENCY = 1

/** The events any loadbatch actor (a batcher or a supervisor) accepts from outside: a user, a parent machine. */
export type OutsideEvent =
  | { type: 'ADD'; item: unknown; key?: unknown }
  | { type: 'ADD_MANY'; items: readonly unknown[] }
  | { type: 'FLUSH' }
  | { type: 'FEEDBACK'; feedback: LoadFeedback }
  | { type: 'STOP'; timeoutMs?: number }

/**
 * Events the batcher accepts. The outside ones, then the few its runtime sends its own actor:
 * items never travel one event each on the fast path (`tryAdd` bypasses the interpreter).
 */
export type BatcherEvent =
  | OutsideEvent
  /** A batch was cut and handed to the flush function. */
  | { type: 'BATCH_STARTED'; batchId: number; size: number; trigger: FlushTrigger }
  /** A batch reached its final outcome: flushed, or (after its retries) dead-lettered; it may carry the turn's report. */
  | { type: 'BATCH_SETTLED'; batchId: number; ok: boolean; emitted?: readonly BatcherEmitted[] }
  /** The oldest buffered item has waited `maxWaitMs`. */
  | { type: 'TIMEOUT' }
  /** The controller's cadence came round with fresh feedback. */
  | { type: 'TICK' }
  /**
   * Per-batch detail the runtime reports when it syncs the chart, for the chart to emit
   * (`batch.flushed`, `batch.deadLettered`, `items.dropped`: only the types someone listens
   * to, all of them under an inspector); it changes no state.
   */
  | { type: 'REPORT'; emitted: readonly BatcherEmitted[] }
  /** The controller put a new target in force (sent by the runtime after `adjusting`). */
  | { type: 'TARGET_CHANGED'; batchSize: number; concurrency: number; reason?: TargetReason }
  /** Draining found the buffer empty and no flush in flight. */
  | { type: 'DRAINED' }

/** A batch size and a concurrency. */
export interface TargetFigures {
  readonly batchSize: number
  readonly concurrency: number
}

/** Why a controller chose a target (the shape of the controller's `DecisionReason`). */
export interface TargetReason {
  /** The rule that fired, a short stable name. */
  readonly rule: string
  /** The target before the decision. */
  readonly from: TargetFigures
  /** The target after the decision. */
  readonly to: TargetFigures
  /** The figures the rule read. */
  readonly inputs: Readonly<Record<string, number>>
  /** One sentence for a person. */
  readonly text: string
}

/**
 * Events out of the batcher actor, for `actor.on(type, fn)`: each settled batch (flushed and
 * dead-lettered items apart), items refused, and each new target with the controller's reason.
 */
export type BatcherEmitted =
  | { type: 'batch.flushed'; batchId: number; items: readonly unknown[] }
  | { type: 'batch.deadLettered'; batchId: number; items: readonly unknown[]; error: unknown }
  | { type: 'items.dropped'; count: number; reason: DropReason }
  | { type: 'target.changed'; batchSize: number; concurrency: number; reason?: TargetReason }

/** Why items were refused: the batcher was full, stopping or stopped, or an item's weight was invalid. */
export type DropReason = 'full' | 'stopped' | 'invalidWeight'

/** What the statechart itself tracks (what the inspector shows); items and counters live in the runtime. */
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

/** The top-level state names of the batcher: part of the public contract. */
export type BatcherState = 'collecting' | 'flushing' | 'adjusting' | 'draining' | 'stopped'
