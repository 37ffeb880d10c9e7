import type { Ticket } from '../batcher/flight.ts'
import { AbortError } from '../errors.ts'
import type { Held, Slot } from './slot.ts'
import { closeSlot } from './slot.ts'
import type { PortRecord } from './supervisorMetrics.ts'

/** What the crash handoff needs of the supervisor runtime, as callbacks (no import of it). */
export interface CrashHost<T> {
  /** True once the supervisor escalated. */
  isFailed(): boolean
  /** The record of a worker port, to count what it handed over. */
  recordOf(slot: Slot<T>): PortRecord<T> | undefined
  /** Counts `count` more items held by the supervisor. */
  addHeld(count: number): void
  /** Dead-letters held items as the supervisor's own (on escalation), rejecting their `submit`s. */
  deadLetterHeld(held: readonly Held<T>[], error: unknown): void
  /** Dead-letters a stopped worker's leftovers (counted by the worker). */
  deadLetterLeftovers(items: T[], error: unknown): void
  /** The escalation's error. */
  escalationError(): unknown
  /** Reports the crash: logs it, queues the restart, tells the chart. */
  reportCrash(slot: Slot<T>, error: unknown): void
}

/**
 * A worker actor that stops without draining (crash, or its parent stopped) gives up what it
 * held, each item with its `submit` promise. Its slot keeps them until the actor's observers
 * say which: on a crash they go to the replacement; otherwise (if no one claims them within
 * the current job) their promises are rejected and the items go to the user's onDeadLetter.
 * Observers of one actor error run in either order, so a crash seen first takes them at once.
 */
export function takeLeftovers<T>(slot: Slot<T>, items: T[], tickets: readonly (Ticket | undefined)[], host: CrashHost<T>): boolean {
  const crash = slot.crash
  if (host.isFailed() && crash === undefined) return false
  const held = items.map((item, index) => ({ item, ticket: tickets[index] }))
  if (crash !== undefined) {
    // The leftovers of the crash being handled go to the replacement or, when that crash made the supervisor escalate, to onDeadLetter.
    if (!host.isFailed()) return holdLeftovers(slot, held, crash.record, host)
    if (crash.record) crash.record.handedOver += held.length
    host.deadLetterHeld(held, host.escalationError())
    return true
  }
  slot.stash.push(held)
  queueMicrotask(() => deadLetterStash(slot, host))
  return true
}

/** Holds a crashed worker's leftovers for its replacement, before anything that arrived after the crash. */
function holdLeftovers<T>(slot: Slot<T>, held: Held<T>[], record: PortRecord<T> | undefined, host: CrashHost<T>): true {
  if (record) record.handedOver += held.length
  slot.held.splice(slot.leftoverAt, 0, ...held)
  slot.leftoverAt += held.length
  host.addHeld(held.length)
  return true
}

/** Leftovers nobody claimed as a crash's: their `submit`s are rejected and the items dead-lettered. */
function deadLetterStash<T>(slot: Slot<T>, host: CrashHost<T>): void {
  const error = new AbortError('The worker was stopped before it drained')
  for (const held of slot.stash.splice(0)) {
    for (const entry of held) entry.ticket?.reject(error)
    host.deadLetterLeftovers(held.map((entry) => entry.item), error)
  }
}

/** A slot's worker crashed: its slot holds from now on, and what it gave up goes to its replacement. */
export function onWorkerCrash<T>(slot: Slot<T>, error: unknown, host: CrashHost<T>): void {
  const record = host.recordOf(slot)
  slot.port = undefined
  closeSlot(slot)
  slot.leftoverAt = 0
  if (record) record.live = false
  // If the worker's runtime observed the error first, it has given up its items (flights before the buffer: oldest first);
  // if not, it gives them up within this same error dispatch, and `slot.crash` sends them to `held`.
  for (const held of slot.stash.splice(0)) holdLeftovers(slot, held, record, host)
  slot.crash = { record }
  queueMicrotask(() => (slot.crash = undefined))
  host.reportCrash(slot, error)
}
