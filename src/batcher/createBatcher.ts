import { assertEvent, createActor, enqueueActions, type Actor, type AnyActorRef } from 'xstate'
import { batcherMachine } from '../../machines/batcher.machine.ts'
import type { BatcherEmitted, BatcherInput, BatcherState } from '../../machines/batcher.types.ts'
import { BatcherRuntime } from './batcherRuntime.ts'
import { itemCount } from './chartLink.ts'
import type { LeftoverTaker } from './flight.ts'
import type { BatcherMetrics } from '../metrics.ts'
import { resolveOptions, type BatcherOptions } from './batcherOptions.ts'

/** The batcher's actor logic with its implementations provided: spawn it, invoke it, or run it. */
export type BatcherLogic = ReturnType<typeof batcherMachine.provide>

/** Options of a call that may wait. */
export interface WaitOptions {
  /** Aborts the wait (rejects with AbortError); an item already accepted stays accepted. */
  readonly signal?: AbortSignal
}

/** Options of {@link Batcher.stop}. */
export interface StopOptions {
  /** Longest the drain may take, in ms; then running flushes are aborted and what is left goes to onDeadLetter. Default: no limit (each flush is still bounded by flushTimeoutMs and retry). */
  readonly timeoutMs?: number
}

/** A running batcher: the embedding API over one batcher actor. */
export interface Batcher<T> {
  /** Accepts `item` if there is room now; never waits. False when full or stopping (counted in `itemsDropped`). */
  tryAdd(item: T): boolean
  /** Accepts `item`, waiting (first come, first served) for room. Rejects with AbortError on abort, BatcherStoppedError after stop. */
  add(item: T, options?: WaitOptions): Promise<void>
  /** Like `add`, but resolves only when the item's batch was flushed, and rejects when it was finally dead-lettered. */
  submit(item: T, options?: WaitOptions): Promise<void>
  /** Accepts as many of `items` as fit now, in order; the rest are dropped and counted. Returns how many were accepted. */
  addMany(items: readonly T[]): number
  /** Cuts everything buffered now; resolves when those items have settled (flushed or dead-lettered). */
  flush(): Promise<void>
  /** Drains, then stops: nothing accepted is lost. Idempotent: every call gets the same promise. */
  stop(options?: StopOptions): Promise<void>
  /** A snapshot of the counters; never waits for a flush. */
  metrics(): BatcherMetrics
  /** The state of the statechart. */
  readonly state: BatcherState
  /** The XState actor: subscribe to it, inspect it, send it events. */
  readonly actor: Actor<BatcherLogic>
  /** The same logic, to spawn or invoke as a child of your own machine (each child gets its own buffer). */
  readonly batchLogic: BatcherLogic
}

/**
 * The batcher logic for `options`, and a way to reach the runtime behind each actor made from it.
 * `takeLeftovers` (for supervisors) takes what an actor gives up when it is stopped or crashes
 * before it drained; without it, those items are dead-lettered.
 */
export function createBatcherLogic<T>(options: BatcherOptions<T>, takeLeftovers?: LeftoverTaker<T>): {
  logic: BatcherLogic
  runtimeOf: (actor: AnyActorRef) => BatcherRuntime<T> | undefined
  /** The machine input that starts the chart at the options' target. */
  input: Required<BatcherInput>
} {
  const resolved = resolveOptions(options)
  const runtimes = new WeakMap<AnyActorRef, BatcherRuntime<T>>()
  const runtime = (self: AnyActorRef) => runtimes.get(self)!
  const logic = batcherMachine.provide({
    actions: {
      startRuntime: ({ self, context }) => {
        const created = new BatcherRuntime(resolved, self, takeLeftovers)
        runtimes.set(self, created)
        // Also reached when a parent stops this actor without STOP: the runtime then dead-letters what is left.
        self.subscribe({ complete: () => created.release(), error: () => created.release() })
        created.reportTargetIfNot(context)
      },
      bufferItem: ({ self, event }) => {
        assertEvent(event, 'ADD')
        runtime(self).tryAdd(event.item as T)
      },
      bufferItems: ({ self, event }) => {
        assertEvent(event, 'ADD_MANY')
        if (Array.isArray(event.items)) runtime(self).addMany(event.items as T[])
        else runtime(self).refuse(1) // a malformed event from a parent: one offering, refused and counted
      },
      cutBatch: ({ self }, { trigger }) => runtime(self).cut(trigger === 'time' ? 'time' : 'manual'),
      recordFeedback: ({ self, event }) => {
        assertEvent(event, 'FEEDBACK')
        runtime(self).recordFeedback(event.feedback)
      },
      adjustTarget: ({ self }) => runtime(self).adjust(),
      beginDrain: ({ self, event }) => runtime(self).beginDrain(event.type === 'STOP' ? event.timeoutMs : undefined),
      refuseItem: ({ self, event }) => runtime(self).refuse(itemCount(event)),
      release: ({ self }) => runtime(self).release(),
      // The chart's count, plus the settled batch as emitted events (actor.on('batch.flushed' | 'batch.deadLettered')).
      countSettled: enqueueActions(({ enqueue, context, event }) => {
        enqueue.assign({ inFlight: Math.max(0, context.inFlight - 1) })
        if (event.type !== 'BATCH_SETTLED') return
        const { batchId, flushed, failed, error } = event
        const emitted: BatcherEmitted[] = []
        if (flushed?.length) emitted.push({ type: 'batch.flushed', batchId, items: flushed })
        if (failed?.length) emitted.push({ type: 'batch.deadLettered', batchId, items: failed, error })
        for (const out of emitted) enqueue.emit(out)
      }),
    },
  })
  return { logic, runtimeOf: (actor) => runtimes.get(actor), input: { batchSize: resolved.size.initial, concurrency: resolved.concurrency.initial } }
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
 * Creates and starts a batcher. Items go straight into its buffer; its actor gets a few
 * control events per batch. See {@link BatcherOptions} for every option and its default.
 *
 * @throws ConfigError when an option is missing or out of range, naming it and the rule.
 * @example
 * const batcher = createBatcher<Row>({ flush: (rows) => db.insert(rows), size: { initial: 100, min: 10, max: 1000 } })
 * batcher.tryAdd(row)
 * await batcher.stop()
 */
export function createBatcher<T>(options: BatcherOptions<T>): Batcher<T> {
  const { logic, runtimeOf, input } = createBatcherLogic(options)
  const named = options.name === undefined ? {} : { id: options.name, systemId: options.name }
  const actor = createActor(logic, options.inspect ? { input, ...named, inspect: options.inspect } : { input, ...named })
  actor.start()
  const runtime = runtimeOf(actor)!
  let stopping: Promise<void> | undefined
  const state = () => stateOf(actor)
  return {
    tryAdd: (item) => runtime.tryAdd(item),
    add: (item, waitOptions) => runtime.add(item, waitOptions?.signal),
    submit: (item, waitOptions) => runtime.submit(item, waitOptions?.signal),
    addMany: (items) => runtime.addMany(items),
    flush() {
      const seq = runtime.tailSeq
      if (actor.getSnapshot().status === 'active') actor.send({ type: 'FLUSH' })
      return runtime.whenSettledBelow(seq)
    },
    stop(stopOptions) {
      if (!stopping) {
        if (actor.getSnapshot().status === 'active') actor.send(stopOptions?.timeoutMs === undefined ? { type: 'STOP' } : { type: 'STOP', timeoutMs: stopOptions.timeoutMs })
        stopping = runtime.stopped
      }
      return stopping
    },
    metrics: () => runtime.metrics(state()),
    get state() {
      return state()
    },
    actor,
    batchLogic: logic,
  }
}
