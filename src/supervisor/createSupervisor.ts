import { assertEvent, assign, createActor, type Actor, type AnyActorRef } from 'xstate'
import { supervisorMachine } from '../../machines/supervisor.machine.ts'
import type { SupervisorInput, SupervisorState } from '../../machines/supervisor.types.ts'
import { withBoundMethods } from '../batcher/batcherPort.ts'
import { itemCount } from '../batcher/chartLink.ts'
import type { ItemPort, StopOptions, WorkerLogic } from '../port.ts'
import { supervisorPort, type SupervisorPort } from './supervisorPort.ts'
import type { SupervisorMetrics } from './supervisorMetrics.ts'
import { resolveInput, resolveSupervisorOptions, type SupervisorOptions } from './supervisorOptions.ts'
import type { Spawn } from './slot.ts'
import { SupervisorRuntime } from './supervisorRuntime.ts'

/** The supervisor's actor logic with its implementations provided: spawn it, invoke it, or use it as another supervisor's `worker`. */
export type SupervisorLogic = ReturnType<typeof supervisorMachine.provide>

/** The supervisor logic for `options`, a way to reach the runtime behind each actor made from it, and `portOf` so it can be a worker. */
export function createSupervisorLogic<T>(options: SupervisorOptions<T>): {
  logic: SupervisorLogic
  portOf: (actor: AnyActorRef) => SupervisorPort<T> | undefined
} {
  const resolved = resolveSupervisorOptions(options)
  const runtimes = new WeakMap<AnyActorRef, SupervisorRuntime<T>>()
  const runtime = (self: AnyActorRef) => runtimes.get(self)!
  const logic = supervisorMachine
    .provide({
      actions: {
        startWorkers: assign(({ self, spawn }) => {
          const created = new SupervisorRuntime(resolved, self)
          runtimes.set(self, created)
          // Also reached when a parent stops this actor without STOP: workers are stopped by XState and dead-letter what they hold.
          self.subscribe({ complete: () => created.release(), error: () => created.release() })
          created.pool.start(spawn as unknown as Spawn, resolved.input.initial)
          // The options win over the machine's input, so the logic behaves the same when a parent spawns it without input.
          const { initial, ...bounds } = resolved.input
          return { ...bounds, workers: initial }
        }),
        routeItem: ({ self, event }) => {
          assertEvent(event, 'ADD')
          runtime(self).route(event.item as T, event.key)
        },
        routeItems: ({ self, event }) => {
          assertEvent(event, 'ADD_MANY')
          runtime(self).addMany(event.items as T[])
        },
        flushWorkers: ({ self }) => void runtime(self).pool.flush(),
        shareFeedback: ({ self, event }) => {
          assertEvent(event, 'FEEDBACK')
          runtime(self).pool.shareFeedback(event.feedback)
        },
        addWorker: assign(({ self, spawn }) => {
          runtime(self).scaling.addWorker(spawn as unknown as Spawn)
          return {}
        }),
        retireWorker: ({ self }) => runtime(self).scaling.retireWorker(),
        scheduleRestart: ({ self, context }) => runtime(self).pool.scheduleRestart(context.crashes.length),
        restartWorker: assign(({ self, spawn }) => {
          runtime(self).pool.restartWorker(spawn as unknown as Spawn)
          return {}
        }),
        beginDrain: ({ self, event }) => runtime(self).beginDrain(event.type === 'STOP' ? event.timeoutMs : undefined),
        escalate: ({ self }) => runtime(self).escalate(),
        raiseEscalation: ({ self }) => {
          throw runtime(self).escalationError()
        },
        refuseItem: ({ self, event }) => runtime(self).refuse(itemCount(event)),
        release: ({ self }) => runtime(self).release(),
      },
    })
  const ports = new WeakMap<AnyActorRef, SupervisorPort<T>>()
  return {
    logic,
    portOf(actor) {
      const known = ports.get(actor)
      if (known) return known
      const found = runtimes.get(actor)
      if (!found) return undefined
      const port = supervisorPort(actor, found)
      ports.set(actor, port)
      return port
    },
  }
}

/** A running supervisor: the same {@link ItemPort} as one batcher, over a pool of worker actors; a submit follows its item across a worker crash. */
export interface Supervisor<T> extends ItemPort<T> {
  /** Stops routing, drains every worker; resolves when all stopped, rejects with SupervisorEscalatedError if it escalated. Idempotent. */
  stop(options?: StopOptions): Promise<void>
  /** Summed counters plus one entry per worker; never waits. */
  metrics(): SupervisorMetrics
  /** The supervisor's state. */
  readonly state: SupervisorState
  /** The XState actor; `actor.system.get('worker-0')` finds a worker. */
  readonly actor: Actor<SupervisorLogic>
  /** The same logic, to spawn as a child of your machine (drive it with ADD, ADD_MANY, FLUSH, FEEDBACK, STOP). */
  readonly supervisorLogic: SupervisorLogic
  /** The same logic as another supervisor's `worker`, for trees. */
  readonly workerLogic: WorkerLogic<T>
}

/**
 * Creates and starts a supervisor: worker batchers (or supervisors) as children, routed to by
 * `route`, restarted one-for-one when they crash, scaled between `workers.min` and `max`.
 *
 * A worker crashes when its actor errors, i.e. an exception escapes one of its actions (for
 * example a custom controller's `score` throwing on a feedback sample); a flush function that
 * throws does not crash a worker. The crashed worker's unflushed items (buffered and in flight,
 * the latter's flushes aborted) are handed to its replacement: delivery stays at-least-once.
 *
 * @throws ConfigError when an option is missing or out of range, naming it and the rule.
 * @example
 * const pool = createSupervisor<Row>({ worker: { flush: insertRows, size: 500 }, workers: { min: 2, max: 8 }, route: byKey((row) => row.tenant) })
 * pool.tryAdd(row)
 * await pool.stop()
 */
export function createSupervisor<T>(options: SupervisorOptions<T>): Supervisor<T> {
  const created = createSupervisorLogic(options)
  const actor = createActor(created.logic, options.inspect ? { input: inputOf(options), inspect: options.inspect } : { input: inputOf(options) })
  actor.subscribe({ error: () => {} }) // escalation is reported through stop(), state and the logger, not thrown at the process
  actor.start()
  return Object.assign(withBoundMethods(created.portOf(actor)!), { actor, supervisorLogic: created.logic, workerLogic: created })
}

/** The machine input for `options` (already checked by createSupervisorLogic). */
function inputOf<T>(options: SupervisorOptions<T>): Required<SupervisorInput> {
  return resolveInput(options)
}
