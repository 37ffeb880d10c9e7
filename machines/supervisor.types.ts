import type { OutsideEvent } from './batcher.types.ts'

/** Defaults of the supervisor's input, set once here: the chart and `createSupervisor` both read them. */
export const SUPERVISOR_DEFAULTS = { min: 1, maxRestarts: 3, withinMs: 60_000, cooldownMs: 10_000 } as const

/**
 * Events the supervisor accepts. The outside ones mean what they mean to one batcher. The rest
 * are control events the supervisor's runtime sends its own actor: a few per crash or scaling
 * step, never one per item (`tryAdd` routes straight into a worker's buffer). Time arrives as
 * data (`at`), so the guards stay pure and `@xstate/graph` can walk the chart.
 */
export type SupervisorEvent =
  | OutsideEvent
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

/** Input of the supervisor machine. Defaults ({@link SUPERVISOR_DEFAULTS}) are for drawing and testing; `createSupervisor` checks and fills every one. */
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

/** The top-level state names of the supervisor. */
export type SupervisorState = 'starting' | 'running' | 'scaling' | 'restarting' | 'draining' | 'stopped' | 'failed'
