import { assign, setup } from 'xstate'
import { SUPERVISOR_DEFAULTS, type SupervisorContext, type SupervisorEvent, type SupervisorInput } from './supervisor.types.ts'

export type { SupervisorContext, SupervisorEvent, SupervisorInput, SupervisorState } from './supervisor.types.ts'

/** The outside events every routing state accepts, named once so the states read alike. */
const routing = {
  ADD: { actions: 'routeItem' },
  ADD_MANY: { actions: 'routeItems' },
  FLUSH: { actions: 'flushWorkers' },
  FEEDBACK: { actions: 'shareFeedback' },
  STOP: { target: '#supervisor.draining' },
} as const

/** A crash past the restart budget: the supervisor fails. */
const crashPastBudget = { target: '#supervisor.failed', actions: 'recordCrash' } as const

/** A crash within budget is recorded and its restart scheduled (the state is kept); past the budget the supervisor fails. */
const onCrashStaying = [{ guard: 'canRestart', actions: ['recordCrash', 'scheduleRestart'] }, crashPastBudget] as const

/** As {@link onCrashStaying}, but a crash within budget moves to `restarting`. */
const onCrash = [{ ...onCrashStaying[0], target: '#supervisor.restarting' }, crashPastBudget] as const

/** Items offered while draining: refused and counted, the same way in both charts. */
const refusing = {
  ADD: { actions: 'refuseItem' },
  ADD_MANY: { actions: 'refuseItem' },
} as const

/**
 * The supervisor statechart: starting → running ⇄ scaling / restarting → draining → stopped,
 * or → failed when workers crash more than `maxRestarts` times within `withinMs`.
 *
 * Pure: spawning, routing and timers are named actions that `src/supervisor/createSupervisor.ts` provides with
 * `.provide()`; the scale timer and restart backoff arrive as `SCALE_TICK` and `RESTART_DUE`.
 * Routing goes on in every state but draining, stopped and failed.
 */
export const supervisorMachine = setup({
  types: {
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
    input: {} as SupervisorInput,
  },
  actions: {
    /** Create the runtime and spawn the initial workers (`worker-0`, …). */
    startWorkers: () => {},
    /** Route one item (from an `ADD` event) to a worker; counted as dropped when there is no room. */
    routeItem: () => {},
    /** Route the items of an `ADD_MANY` event, in order. */
    routeItems: () => {},
    /** Cut every worker's buffer now. */
    flushWorkers: () => {},
    /** Forward a `FEEDBACK` sample to every worker. */
    shareFeedback: () => {},
    /** Spawn one more worker; with byKey routing, hold its new keys until their old owners flushed. */
    addWorker: () => {},
    /** Take one worker out of the routing set and drain it; its keys move once it stopped. */
    retireWorker: () => {},
    /** Arm the backoff timer that sends `RESTART_DUE`. */
    scheduleRestart: () => {},
    /** Replace the oldest crashed worker with a new one under the same systemId, handing it the old one's items. */
    restartWorker: () => {},
    /** Stop routing, drain every worker, send `DRAINED` when all stopped. */
    beginDrain: () => {},
    /** Dead-letter what is held, stop timers, and send `ESCALATE`. */
    escalate: () => {},
    /** Throw the escalation error, so the actor errors and its parent gets `xstate.error.actor`. */
    raiseEscalation: () => {},
    /** Refuse an item offered while draining (counted as dropped), as a batcher does. */
    refuseItem: () => {},
    /** Release timers; settle `stop()`. */
    release: () => {},
    countAdded: assign(({ context, event }) => ({
      workers: context.workers + 1,
      cooldownUntil: event.type === 'SCALE_TICK' ? event.at + context.cooldownMs : context.cooldownUntil,
    })),
    countRetired: assign(({ context, event }) => ({
      workers: context.workers - 1,
      cooldownUntil: event.type === 'SCALE_TICK' ? event.at + context.cooldownMs : context.cooldownUntil,
    })),
    recordCrash: assign(({ context, event }) => {
      if (event.type !== 'WORKER_CRASHED') return {}
      return {
        crashes: [...context.crashes.filter((at) => event.at - at < context.withinMs), event.at],
        pendingRestarts: context.pendingRestarts + 1,
      }
    }),
    countRestarted: assign(({ context }) => ({ pendingRestarts: Math.max(0, context.pendingRestarts - 1) })),
  },
  guards: {
    /** Fewer than `maxRestarts` crashes inside the window, counting this one's time. */
    canRestart: ({ context, event }) =>
      event.type === 'WORKER_CRASHED' && context.crashes.filter((at) => event.at - at < context.withinMs).length < context.maxRestarts,
    /** The load asks for more workers, there is room below `max`, and the cool-down has passed. */
    wantsMoreWorkers: ({ context, event }) =>
      event.type === 'SCALE_TICK' && event.at >= context.cooldownUntil && event.desired > context.workers && context.workers < context.max,
    /** The load asks for fewer workers, there are more than `min`, and the cool-down has passed. */
    wantsFewerWorkers: ({ context, event }) =>
      event.type === 'SCALE_TICK' && event.at >= context.cooldownUntil && event.desired < context.workers && context.workers > context.min,
    /** More crashed workers wait for a restart after the one being restarted now. */
    hasMoreRestarts: ({ context }) => context.pendingRestarts > 1,
    /** Some crashed worker still waits for its restart. */
    hasPendingRestarts: ({ context }) => context.pendingRestarts > 0,
  },
}).createMachine({
  id: 'supervisor',
  context: ({ input }) => {
    const min = input?.min ?? SUPERVISOR_DEFAULTS.min
    const max = input?.max ?? min
    return {
      workers: input?.initial ?? min,
      min,
      max,
      pendingRestarts: 0,
      crashes: [],
      maxRestarts: input?.maxRestarts ?? SUPERVISOR_DEFAULTS.maxRestarts,
      withinMs: input?.withinMs ?? SUPERVISOR_DEFAULTS.withinMs,
      cooldownUntil: 0,
      cooldownMs: input?.cooldownMs ?? SUPERVISOR_DEFAULTS.cooldownMs,
    }
  },
  initial: 'starting',
  on: {
    // A worker's error reaches us twice: as WORKER_CRASHED from the runtime (which has taken its items by
    // then) and as XState's own error event. Handling the latter keeps XState from failing the supervisor with it.
    'xstate.error.actor.*': {},
  },
  states: {
    starting: {
      description: 'Spawns the initial workers, each a child with systemId worker-<n>.',
      entry: 'startWorkers',
      always: { target: 'running' },
    },
    running: {
      description: 'Items are routed to the workers; the scale timer may ask for more or fewer.',
      on: {
        ...routing,
        SCALE_TICK: [
          { guard: 'wantsMoreWorkers', target: 'scaling', actions: ['countAdded', 'addWorker'] },
          { guard: 'wantsFewerWorkers', target: 'scaling', actions: ['countRetired', 'retireWorker'] },
        ],
        WORKER_CRASHED: onCrash,
      },
    },
    scaling: {
      description: 'A worker was added or is being retired; keys move only after their old owner flushed. Routing goes on.',
      on: {
        ...routing,
        SCALE_DONE: [{ guard: 'hasPendingRestarts', target: 'restarting' }, { target: 'running' }],
        WORKER_CRASHED: onCrashStaying,
        RESTART_DUE: { actions: ['restartWorker', 'countRestarted'] },
      },
    },
    restarting: {
      description: 'A crashed worker waits out its backoff; its items (and new ones for its keys) are held for its replacement.',
      on: {
        ...routing,
        RESTART_DUE: [
          { guard: 'hasMoreRestarts', actions: ['restartWorker', 'countRestarted'] },
          { target: 'running', actions: ['restartWorker', 'countRestarted'] },
        ],
        WORKER_CRASHED: onCrash,
      },
    },
    draining: {
      description: 'After STOP: no routing; every worker drains (a crashed one is restarted at once to drain its items).',
      entry: 'beginDrain',
      on: {
        ...refusing,
        FEEDBACK: { actions: 'shareFeedback' },
        WORKER_CRASHED: onCrashStaying,
        RESTART_DUE: { actions: ['restartWorker', 'countRestarted'] },
        SCALE_DONE: {},
        DRAINED: { target: 'stopped' },
      },
    },
    stopped: {
      description: 'Final: every accepted item was flushed or dead-lettered, and every worker stopped.',
      type: 'final',
      entry: 'release',
    },
    failed: {
      description: 'Escalated: more crashes than maxRestarts within withinMs. The actor errors so its parent sees it.',
      entry: 'escalate',
      on: { ESCALATE: { actions: 'raiseEscalation' } },
    },
  },
})

