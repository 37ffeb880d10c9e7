import { assertEvent, createActor, enqueueActions, type Actor, type AnyActorRef } from 'xstate'
import { batcherMachine } from '../../machines/batcher.machine.ts'
import type { BatcherInput, BatcherState } from '../../machines/batcher.types.ts'
import { BatcherRuntime } from './batcherRuntime.ts'
import { itemCount } from './chartLink.ts'
import type { LeftoverTaker } from './flight.ts'
import type { BatcherMetrics } from '../metrics.ts'
import type { ItemPort } from '../port.ts'
import { batcherPort, withBoundMethods, type BatcherPort } from './batcherPort.ts'

import { resolveOptions, type BatcherOptions } from './batcherOptions.ts'

/** The batcher's actor logic with its implementations provided: spawn it, invoke it, or run it. */
export type BatcherLogic = ReturnType<typeof batcherMachine.provide>

/** A running batcher: the {@link ItemPort} over one batcher actor, with the actor and its logic. */
export interface Batcher<T> extends ItemPort<T> {
  /** A snapshot of the counters; never waits for a flush. */
  metrics(): BatcherMetrics
  /** The state of the statechart. */
  readonly state: BatcherState
  /** The XState actor: subscribe to it (`actor.on('batch.flushed' | 'batch.deadLettered' | 'items.dropped' | 'target.changed')`), inspect it, send it events. */
  readonly actor: Actor<BatcherLogic>
  /** The same logic, to spawn or invoke as a child of your own machine (each child gets its own buffer). */
  readonly batchLogic: BatcherLogic
}

/**
 * The batcher logic for `options`, and a way to reach the port of each actor made from it.
 * `takeLeftovers` (for supervisors) takes what an actor gives up when it is stopped or crashes
 * before it drained, told which actor it was; without it, those items are dead-lettered.
 */
export function createBatcherLogic<T>(options: BatcherOptions<T>, takeLeftovers?: LeftoverTaker<T>): {
  logic: BatcherLogic
  /** The port of an actor made from `logic` (undefined for any other actor). */
  portOf: (actor: AnyActorRef) => BatcherPort<T> | undefined
  /** The machine input that starts the chart at the options' target. */
  input: Required<BatcherInput>
} {
  const resolved = resolveOptions(options)
  const runtimes = new WeakMap<AnyActorRef, BatcherRuntime<T>>()
  const runtime = (self: AnyActorRef) => runtimes.get(self)!
  const logic = batcherMachine.provide({
    actions: {
      startRuntime: ({ self, context }) => {
        const created = new BatcherRuntime(resolved, self, takeLeftovers && ((items, tickets) => takeLeftovers(items, tickets, self)))
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
      // What the runtime reported, out as emitted events: actor.on('batch.flushed' | 'batch.deadLettered' | 'items.dropped').
      emitReport: enqueueActions(({ enqueue, event }) => {
        if (event.type === 'REPORT' || event.type === 'BATCH_SETTLED') for (const out of event.emitted ?? []) enqueue.emit(out)
      }),
    },
  })
  const ports = new WeakMap<AnyActorRef, BatcherPort<T>>()
  const portOf = (actor: AnyActorRef): BatcherPort<T> | undefined => {
    const known = ports.get(actor)
    if (known) return known
    const found = runtimes.get(actor)
    if (!found) return undefined
    const port = batcherPort(actor, found, resolved.capacity)
    ports.set(actor, port)
    return port
  }
  return { logic, portOf, input: { batchSize: resolved.size.initial, concurrency: resolved.concurrency.initial } }
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
  const { logic, portOf, input } = createBatcherLogic(options)
  const named = options.name === undefined ? {} : { id: options.name, systemId: options.name }
  const actor = createActor(logic, options.inspect ? { input, ...named, inspect: options.inspect } : { input, ...named })
  actor.start()
  return Object.assign(withBoundMethods(portOf(actor)!), { actor, batchLogic: logic })
}
