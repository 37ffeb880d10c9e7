import { assign, setup } from 'xstate'
import type { LoadFeedback } from '../src/feedback.ts'

/**
 * Events the supervisor accepts. The first five come from outside (a user, a parent machine,
 * a parent supervisor) and mean what they mean to one batcher. The rest are control events the
 * supervisor's runtime sends its own actor: a few per crash or scaling step, never one per item
 * (`tryAdd` routes straight into a worker's buffer). Time arrives as data (`at`), so the
 * guards stay pure and `@xstate/graph` can walk the chart.
 */
export type SupervisorEvent =
  | { type: 'ADD'; item: unknown; key?: unknown }
  | { type: 'ADD_MANY'; items: readonly unknown[] }
  | { type: 'FLUSH' }
  | { type: 'FEEDBACK'; feedback: LoadFeedback }
  | { type: 'STOP'; timeoutMs?: number }
  /** The scale timer fired: `desired` is the worker count the load asks for (clamped by the chart). Send it yourself to scale by hand. */
  | { type: 'SCALE_TICK'; at: number; desired: number }
  /** The worker added or retired by the last scaling step has taken over (or handed off) its keys. */
  | { type: 'SCALE_DONE' }
  /** A worker actor errored; its unflushed items are held for its replacement. */
  | { type: 'WORKER_CRASHED'; workerId: string; at: number; error?: unknown }
  /** The backoff before restarting a crashed worker has passed. */
  | { type: 'RESTART_DUE' }
  /** Draining found every worker stopped and nothing held back. */
  | { type: 'DRAINED' }
  /** After `failed` was entered: raise the error so the parent sees it (sent by the runtime). */
  | { type: 'ESCALATE' }
  /** XState's own report of a worker's error (the runtime has already turned it into WORKER_CRASHED). */
  | { type: `xstate.error.actor.${string}`; error: unknown }

/** What the statechart tracks (what the inspector shows); items and actor refs live in the runtime. */
export interface SupervisorContext {
  /** Worker slots in the routing set (a crashed worker awaiting restart still holds its slot). */
  workers: number
  readonly min: number
  readonly max: number
  /** Crashed workers waiting for their backoff to pass. */
  pendingRestarts: number
  /** Times (ms) of the crashes inside the current restart window. */
  crashes: readonly number[]
  readonly maxRestarts: number
  readonly withinMs: number
  /** No scaling step before this time (ms): the cool-down after the last one. */
  cooldownUntil: number
  readonly cooldownMs: number
}

/** Input of the supervisor machine. Defaults are for drawing and testing; `createSupervisor` checks and fills every one. */
export interface SupervisorInput {
  /** Fewest workers (default 1). */
  min?: number
  /** Most workers (default `min`). */
  max?: number
  /** Workers spawned at start (default `min`). */
  initial?: number
  /** Restarts allowed within `withinMs` before escalating (default 3). */
  maxRestarts?: number
  /** The restart window, in ms (default 60 000). */
  withinMs?: number
  /** Least time between two scaling steps, in ms (default 10 000). */
  cooldownMs?: number
}

/** The outside events every routing state accepts, named once so the states read alike. */
const routing = {
  ADD: { actions: 'routeItem' },
  ADD_MANY: { actions: 'routeItems' },
  FLUSH: { actions: 'flushWorkers' },
  FEEDBACK: { actions: 'shareFeedback' },
  STOP: { target: '#supervisor.draining' },
} as const

/** A crash within budget is recorded and its restart scheduled; past the budget the supervisor fails. */
const onCrash = [
  { guard: 'canRestart', target: '#supervisor.restarting', actions: ['recordCrash', 'scheduleRestart'] },
  { target: '#supervisor.failed', actions: 'recordCrash' },
] as const

/**
 * The supervisor statechart: starting → running ⇄ scaling / restarting → draining → stopped,
 * or → failed when workers crash more than `maxRestarts` times within `withinMs`.
 *
 * Pure: spawning, routing and timers are named actions that `src/supervisor.ts` provides with
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
    const min = input?.min ?? 1
    const max = input?.max ?? min
    return {
      workers: input?.initial ?? min,
      min,
      max,
      pendingRestarts: 0,
      crashes: [],
      maxRestarts: input?.maxRestarts ?? 3,
      withinMs: input?.withinMs ?? 60_000,
      cooldownUntil: 0,
      cooldownMs: input?.cooldownMs ?? 10_000,
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
        WORKER_CRASHED: [
          { guard: 'canRestart', actions: ['recordCrash', 'scheduleRestart'] },
          { target: 'failed', actions: 'recordCrash' },
        ],
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
        ADD: { actions: 'routeItem' },
        ADD_MANY: { actions: 'routeItems' },
        FEEDBACK: { actions: 'shareFeedback' },
        WORKER_CRASHED: [
          { guard: 'canRestart', actions: ['recordCrash', 'scheduleRestart'] },
          { target: 'failed', actions: 'recordCrash' },
        ],
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

/** The top-level state names of the supervisor. */
export type SupervisorState = 'starting' | 'running' | 'scaling' | 'restarting' | 'draining' | 'stopped' | 'failed'
