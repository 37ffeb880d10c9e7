import type { AnyActorLogic, AnyActorRef } from 'xstate'
import type { Ticket } from '../batcher/flight.ts'
import type { WorkerLogic, WorkerPort } from '../port.ts'
import { hashKey } from '../routing/byKey.ts'
import type { RouteWorker } from '../routing/router.ts'
import type { PortRecord } from './supervisorMetrics.ts'

/** An item the supervisor accepted and holds for a worker, with the `submit` promise that follows it. */
export interface Held<T> {
  readonly item: T
  ticket: Ticket | undefined
}

/** One place in the pool, named `worker-<n>`: a restarted worker takes its predecessor's slot, keys and held items. */
export interface Slot<T> extends RouteWorker {
  ref: AnyActorRef | undefined
  /** What the slot's worker gave up as it stopped without draining (with its `submit` promises), until we know whether it crashed. */
  readonly stash: Held<T>[][]
  /** The live worker's data plane; undefined before it started and after it crashed. */
  port: WorkerPort<T> | undefined
  /** Items go through `held` (not straight to `port`) while true: not started, crashed, or delivering held items. */
  holding: boolean
  /** Items for this slot, oldest first: a crashed worker's leftovers, then what arrived meanwhile. */
  readonly held: Held<T>[]
  /** Set while the worker's crash is being handled: leftovers given up now are the crash's. */
  crash: { record: PortRecord<T> | undefined } | undefined
  /** Where the next crash's leftovers go in `held` (before anything that arrived after the crash). */
  leftoverAt: number
  delivering: boolean
  /** Out of the routing set, draining (scale down or stop). */
  retiring: boolean
  /** Resolves once the slot has a live worker and nothing held. */
  ready: Promise<void>
  markReady: () => void
}

/** How the chart's `spawn` is called. */
export type Spawn = (logic: AnyActorLogic, options: { id: string; systemId: string }) => AnyActorRef

/** A new slot named `id`, closed (holding) until its worker starts. */
export function newSlot<T>(id: string): Slot<T> {
  const slot: Slot<T> = {
    id, idHash: hashKey(id), ref: undefined, stash: [], crash: undefined, port: undefined, holding: false, held: [], leftoverAt: 0,
    delivering: false, retiring: false, ready: Promise.resolve(), markReady: () => {},
    load: () => (slot.port?.pending ?? 0) + slot.held.length,
  }
  closeSlot(slot)
  return slot
}

/** Items for `slot` go through its held queue from now on; `ready` waits for it to open. */
export function closeSlot<T>(slot: Slot<T>): void {
  if (!slot.holding) {
    slot.holding = true
    slot.ready = new Promise((resolve) => (slot.markReady = resolve))
  }
}

/** Items for `slot` go straight to its worker again. */
export function openSlot<T>(slot: Slot<T>): void {
  slot.holding = false
  slot.leftoverAt = 0
  slot.markReady()
}

/**
 * Feeds a slot's held items to its worker in order; the slot opens to direct routing when none
 * is left. `released` is called for each item taken out of `held`; `rehold` gets one back that
 * the worker refused after all (it stopped meanwhile).
 */
export async function deliverHeld<T>(slot: Slot<T>, released: () => void, rehold: (held: Held<T>) => void): Promise<void> {
  if (slot.delivering) return
  slot.delivering = true
  try {
    while (slot.held.length > 0) {
      const port = slot.port
      if (port === undefined) return // crashed meanwhile: the next worker in this slot carries on
      if (port.pending >= port.capacity) {
        await port.whenRoom()
        continue
      }
      const held = slot.held.shift()!
      slot.leftoverAt = Math.max(0, slot.leftoverAt - 1)
      released()
      if (held.ticket) {
        port.submit(held.item).then(held.ticket.resolve, held.ticket.reject)
      } else if (!port.tryAdd(held.item)) {
        await port.add(held.item).catch(() => rehold(held))
      }
    }
    if (slot.port !== undefined) openSlot(slot)
  } finally {
    slot.delivering = false
  }
}

/** Resolves when everything the slot's worker held when called has settled, following it across restarts. */
export async function flushSlot<T>(slot: Slot<T>, gaveUp: () => boolean): Promise<void> {
  for (;;) {
    await slot.ready
    const port = slot.port
    if (!port || gaveUp()) return
    await port.flush()
    if (slot.port === port || gaveUp()) return
  }
}

/**
 * Sends STOP to the slot's worker (once it is live and has taken its held items); resolves with
 * its port when it stopped without crashing (undefined when the supervisor gave up first).
 */
export async function drainSlot<T>(slot: Slot<T>, timeoutMs: number | undefined, gaveUp: () => boolean): Promise<WorkerPort<T> | undefined> {
  for (;;) {
    await slot.ready
    const port = slot.port
    const ref = slot.ref
    if (!port || !ref || gaveUp()) return undefined
    if (ref.getSnapshot().status === 'active') ref.send(timeoutMs === undefined ? { type: 'STOP' } : { type: 'STOP', timeoutMs })
    await port.stopped
    if (slot.port === port || gaveUp()) return port
  }
}

/**
 * Spawns the worker `logic` as a real child in `slot` (`id` and `systemId` = the slot name, under
 * the owner's systemId in a tree). `onError` is registered before the child starts; `onStarted`
 * gets the worker's port once its first snapshot says it runs (unless another worker took the slot).
 */
export function spawnWorker<T>(
  slot: Slot<T>, logic: WorkerLogic<T>, spawn: Spawn, ownerSystemId: string | undefined,
  onError: (ref: AnyActorRef, error: unknown) => void, onStarted: (port: WorkerPort<T>) => void,
): void {
  const ref = spawn(logic.logic, { id: slot.id, systemId: ownerSystemId ? `${ownerSystemId}/${slot.id}` : slot.id })
  slot.ref = ref
  ref.subscribe({ error: (error: unknown) => onError(ref, error) })
  const started = ref.subscribe({
    next: () => {
      started.unsubscribe()
      if (slot.ref !== ref || slot.port !== undefined) return
      const port = logic.portOf(ref)
      if (!port) return
      slot.port = port
      onStarted(port)
    },
    error: () => {},
  })
}
