import type { SchedulerLike, Subscription } from 'rxjs'
import { assertEvent, assign, createActor, type Actor, type AnyActorLogic, type AnyActorRef, type InspectionEvent, type Observer } from 'xstate'
import { supervisorMachine } from '../machines/supervisor.machine.ts'
import { SUPERVISOR_DEFAULTS, type SupervisorInput, type SupervisorState } from '../machines/supervisor.types.ts'
import { createBatcherLogic, stateOf as batcherStateOf, type StopOptions, type WaitOptions } from './batcher.ts'
import { itemCount, type LeftoverTaker } from './batcherRuntime.ts'
import { AbortError, BatcherStoppedError, ConfigError, SupervisorEscalatedError } from './errors.ts'

export { SupervisorEscalatedError } from './errors.ts'
import { silentLogger, type Logger } from './logger.ts'
import type { BatcherMetrics } from './metrics.ts'
import { checkInspect, checkLogger, resolveOptions, type BatcherOptions } from './options.ts'
import { checkBoolean, checkFunction, checkKeys, checkNumber, checkScheduler } from './checkOption.ts'
import { backoffDelay, resolveBackoff, type BackoffPolicy } from './retry.ts'
import { hashKey } from './routing/byKey.ts'
import { roundRobin } from './routing/roundRobin.ts'
import type { RouteWorker, Router } from './routing/router.ts'
import { ProcessHold, scheduleAfter, unrefScheduler } from './scheduler.ts'

// ── Public types ─────────────────────────────────────────────────────────────────────

/** How many workers, and between which bounds autoscaling moves. */
export interface WorkerCountOptions {
  /** Fewest workers, an integer >= 1 (default 1). */
  readonly min?: number
  /** Most workers, >= min (default `min`: no autoscaling). */
  readonly max?: number
  /** Workers at start, within [min, max] (default `min`). */
  readonly initial?: number
}

/** One-for-one restarts of crashed workers. */
export interface RestartOptions {
  /** Restarts allowed within `withinMs`; one more crash escalates (default 3; 0: the first crash escalates). */
  readonly maxRestarts?: number
  /** The window of `maxRestarts`, in ms (default 60 000). */
  readonly withinMs?: number
  /** Wait before a restart, in ms, doubling with each crash inside the window (default 100). */
  readonly backoffMs?: number
  /** Ceiling of that wait, in ms (default 10 000). */
  readonly maxBackoffMs?: number
}

/** Autoscaling between `workers.min` and `workers.max`. Has no effect when they are equal. */
export interface ScaleOptions {
  /** How often the load is looked at, in ms (default 1000). The timer sleeps while the pool is idle at `min`. */
  readonly intervalMs?: number
  /** Least time between two scaling steps, in ms, so the pool does not flap (default 10 000). */
  readonly cooldownMs?: number
  /** Add a worker when items buffered + in flight per worker exceed this share of a worker's capacity (default 0.5). */
  readonly highWater?: number
  /** Remove one when they fall below this share (default 0.1, or `highWater` if lower) and the load score is below `lowScore`. */
  readonly lowWater?: number
  /** Add a worker when the workers' mean load score exceeds this, 0..1 (default 0.7). */
  readonly highScore?: number
  /** The load score below which a worker may be removed, 0..1 (default 0.3, or `highScore` if lower). */
  readonly lowScore?: number
}

/** What a supervisor needs of a worker: the data plane behind one worker actor. Items go straight in, never as events. */
export interface WorkerPort<T> {
  tryAdd(item: T): boolean
  add(item: T, signal?: AbortSignal): Promise<void>
  submit(item: T, signal?: AbortSignal): Promise<void>
  /** Items buffered plus in flight; read per item by `leastLoaded`. */
  readonly pending: number
  /** Items buffered plus in flight before `tryAdd` refuses. */
  readonly capacity: number
  /** Resolves when there is room for at least one item. */
  whenRoom(): Promise<void>
  /** Cuts everything buffered; resolves when it has settled. */
  flush(): Promise<void>
  metrics(): WorkerMetrics
  /** Settles when the worker stopped (drained, or failed and gave up what it held). */
  readonly stopped: Promise<void>
  /** Gives up on everything unsettled, dead-lettering it with `error`. */
  abandon(error: unknown): void
}

/** Actor logic to run as a worker, with the way to reach each worker actor's data plane. */
export interface WorkerLogic<T> {
  readonly logic: AnyActorLogic
  portOf(actor: AnyActorRef): WorkerPort<T> | undefined
}

/** A worker's counters, as a batcher reports them; `state` is the worker's state (a batcher's or a supervisor's). */
export type WorkerMetrics = Omit<BatcherMetrics, 'state'> & { state: string }

/** The supervisor's counters: the workers' summed (present and past ones), plus one entry per worker. */
export interface SupervisorMetrics extends WorkerMetrics {
  /** The supervisor's state. */
  state: SupervisorState
  /** Workers in the routing set. */
  workerCount: number
  /** Workers restarted after a crash, in all. */
  restarts: number
  /** Items accepted and held by the supervisor for a worker being restarted or taking over keys (part of itemsBuffered). */
  itemsHeld: number
  /** Each worker in the routing set, by slot name (`worker-0`, …). */
  workers: Array<WorkerMetrics & { id: string }>
}

/** Options of `createSupervisor`. Only `worker` is required. */
export interface SupervisorOptions<T> {
  /** Each worker's batcher options, or another supervisor's logic (`createSupervisorLogic`) to build a tree. Required. */
  worker: BatcherOptions<T> | WorkerLogic<T>
  /** Worker count and autoscaling bounds (default `{ min: 1, max: 1 }`). */
  workers?: WorkerCountOptions
  /** Which worker gets an item (default `roundRobin()`; also `leastLoaded()`, `byKey(fn)`). */
  route?: Router<T>
  /** Restarts of crashed workers (default 3 within 60 s, 100 ms backoff doubling). */
  restart?: RestartOptions
  /** Autoscaling (used when `workers.min < workers.max`). */
  scale?: ScaleOptions
  /** Gets items the supervisor held and could not deliver because it escalated (default: the worker options' onDeadLetter). */
  onDeadLetter?: (items: T[], error: unknown) => void | Promise<void>
  /** Time source for the scale timer and restart backoff (default: the worker's, else real time with unref'd timers). */
  scheduler?: SchedulerLike
  /** An XState inspection observer; it sees the supervisor and every worker. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void)
  /** Where restarts, escalation and scaling are reported (default: the worker's, else silent). */
  logger?: Logger
  /**
   * Keep the process alive while the supervisor holds accepted items for a restarting worker
   * (each worker batcher holds the process for its own items through its `keepAlive`). Default:
   * the worker options' `keepAlive`, else true on real time and false on an injected scheduler.
   */
  keepAlive?: boolean
}

// ── The runtime behind one supervisor actor ──────────────────────────────────────────

/** Everything resolved from {@link SupervisorOptions}, shared by every actor made from one logic. */
interface ResolvedSupervisor<T> {
  /** The worker logic for one slot; `takeLeftovers` gets what a worker gives up when its actor stops without draining. */
  readonly workerLogicFor: (takeLeftovers: LeftoverTaker<T>) => WorkerLogic<T>
  readonly workerCapacity: number
  readonly input: Required<SupervisorInput>
  readonly router: Router<T>
  readonly restart: BackoffPolicy
  readonly scale: Required<ScaleOptions>
  readonly scheduler: SchedulerLike
  readonly logger: Logger
  readonly onDeadLetter: ((items: T[], error: unknown) => void | Promise<void>) | undefined
  readonly keepAlive: boolean
}

/** An item the supervisor accepted and holds for a worker, with the `submit` promise that follows it. */
interface Held<T> {
  readonly item: T
  ticket: { resolve(): void; reject(error: unknown): void } | undefined
}

/** One place in the pool, named `worker-<n>`: a restarted worker takes its predecessor's slot, keys and held items. */
interface Slot<T> extends RouteWorker {
  ref: AnyActorRef | undefined
  /** This slot's worker logic, made once: its dead-letter hook knows the slot. */
  logic: WorkerLogic<T> | undefined
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

/** A scaling step of a keyed router: items whose owner changes wait here until the old owners flushed. */
interface Handoff<T> {
  readonly from: readonly Slot<T>[]
  readonly queue: { slot: Slot<T>; held: Held<T> }[]
  readonly done: Promise<void>
}

/** A worker port ever attached, with how many of its items were handed to a replacement. */
interface PortRecord<T> {
  readonly port: WorkerPort<T>
  readonly slot: Slot<T>
  handedOver: number
  live: boolean
}

type Spawn = (logic: AnyActorLogic, options: { id: string; systemId: string }) => AnyActorRef

/**
 * The data plane and bookkeeping of one supervisor actor: slots, routing, held items, crash
 * leftovers, restarts, scaling handoffs, drain and metrics. The statechart decides; this does
 * what its named actions ask and reports back with a few events (`WORKER_CRASHED`,
 * `RESTART_DUE`, `SCALE_TICK`, `SCALE_DONE`, `DRAINED`).
 *
 * One path for an item: `route` → router picks a slot → the worker's `tryAdd`, or `hold` when
 * the slot has no live worker or its keys are moving → `deliverHeld` feeds the worker in order.
 */
export class SupervisorRuntime<T> implements WorkerPort<T> {
  private readonly slots: Slot<T>[] = []
  /** The routing set: slots in order, without retiring ones. */
  private routeSet: Slot<T>[] = []
  private nextSlot = 0
  /** Every worker port ever attached, with how many of its items were handed to a replacement. */
  private readonly ports: PortRecord<T>[] = []
  private readonly restartQueue: Slot<T>[] = []
  private handoff: Handoff<T> | undefined
  private heldItems = 0
  /** Keeps the process alive while the supervisor itself holds accepted items (workers hold their own). */
  private readonly processHold: ProcessHold
  private itemsDropped = 0
  private restarts = 0
  private accepting = true
  private draining = false
  private failed = false
  private lastCrash: unknown
  /** The error of the escalation, built once. */
  private escalated: SupervisorEscalatedError | undefined
  private scaleTimer: Subscription | undefined
  private readonly timers = new Set<Subscription>()
  private resolveFinished!: (outcome: 'stopped' | 'failed') => void
  /** Settles with how the supervisor ended. */
  readonly finished: Promise<'stopped' | 'failed'>
  /** Settles when the supervisor stopped or failed (a parent supervisor waits on it when draining). */
  readonly stopped: Promise<void>
  readonly capacity: number

  constructor(
    private readonly options: ResolvedSupervisor<T>,
    private readonly self: AnyActorRef,
  ) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve))
    this.stopped = this.finished.then(() => undefined)
    this.capacity = options.workerCapacity * options.input.max
    this.processHold = new ProcessHold(options.keepAlive)
  }

  /** Items accepted and held for a worker (restarting, or taking over keys). */
  private get heldCount(): number {
    return this.heldItems
  }

  private set heldCount(count: number) {
    this.heldItems = count
    this.processHold.set(count > 0)
  }

  // ── Entry of items ─────────────────────────────────────────────────────────────────

  /** Routes `item` to a worker if there is room now; never waits. False when stopping, or the chosen worker (or the hold) is full. */
  tryAdd(item: T): boolean {
    return this.route(item, undefined)
  }

  /** Routes one item with an explicit key (the `ADD { key }` event). */
  route(item: T, key: unknown): boolean {
    if (!this.accepting) return this.refuse(1)
    if (this.scaleTimer === undefined) this.armScaleTimer()
    if (this.handoff !== undefined) return this.routeMoving(item, key, undefined)
    const routeSet = this.routeSet
    const slot = routeSet[this.options.router.pick(item, key, routeSet)]!
    const port = slot.port
    // The hot path: a router pick and the worker's own tryAdd; nothing goes through the interpreter.
    if (port !== undefined && !slot.holding) return port.tryAdd(item)
    return this.hold(slot, { item, ticket: undefined }) || this.refuse(1)
  }

  /**
   * Routes `items` in order until one finds no room; returns how many were accepted: always a
   * prefix, as with one batcher, so `items.slice(accepted)` is exactly what to offer again. The
   * rest are counted as dropped.
   */
  addMany(items: readonly T[]): number {
    let accepted = 0
    while (accepted < items.length && this.tryAdd(items[accepted]!)) accepted++
    if (accepted < items.length) this.refuse(items.length - accepted - 1) // tryAdd counted the first refusal
    return accepted
  }

  /** Routes `item`, waiting for room in its worker. Rejects with BatcherStoppedError once stopping, AbortError on abort. */
  async add(item: T, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (!this.accepting) throw new BatcherStoppedError('The supervisor is stopping or stopped and accepts no new items')
      if (signal?.aborted) throw new AbortError(signal.reason)
      const slot = this.pickSlot(item)
      const port = slot.port
      if (this.handoff === undefined && port !== undefined && !slot.holding) {
        try {
          return await port.add(item, signal)
        } catch (error) {
          // The worker crashed or was retired before the item found room: it was never accepted, so route it again.
          if (error instanceof BatcherStoppedError && this.accepting) continue
          throw error
        }
      }
      if (this.handoff !== undefined ? this.routeMoving(item, undefined, undefined) : this.hold(slot, { item, ticket: undefined })) return
      await untilAborted(this.handoff?.done ?? slot.ready, signal)
    }
  }

  /** Like `add`, but resolves when the item was flushed and rejects when it was finally dead-lettered; follows the item across a worker crash. */
  submit(item: T, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const attempt = (): void => {
        if (!this.accepting) return reject(new BatcherStoppedError('The supervisor is stopping or stopped and accepts no new items'))
        if (signal?.aborted) return reject(new AbortError(signal.reason))
        const slot = this.pickSlot(item)
        const port = slot.port
        const ticket = { resolve, reject }
        if (this.handoff === undefined && port !== undefined && !slot.holding) {
          // A crashed worker's leftovers carry their promises to the replacement, so a BatcherStoppedError
          // here always means "never accepted" (the worker stopped while the item waited for room): route it again.
          port.submit(item, signal).then(resolve, (error: unknown) => {
            if (error instanceof BatcherStoppedError && this.accepting) return attempt()
            reject(error)
          })
          return
        }
        const held = { item, ticket }
        if (this.handoff !== undefined ? this.routeMoving(item, undefined, held) : this.hold(slot, held)) return
        untilAborted(this.handoff?.done ?? slot.ready, signal).then(attempt, reject)
      }
      attempt()
    })
  }

  private pickSlot(item: T): Slot<T> {
    if (this.scaleTimer === undefined) this.armScaleTimer() // every route in wakes the scale timer, not only tryAdd's
    const routeSet = this.routeSet
    return routeSet[this.options.router.pick(item, undefined, routeSet)]!
  }

  /**
   * Routing while a keyed router's worker set changes: an item whose owner differs between the
   * old and the new set waits in the handoff queue until the old owner has flushed.
   */
  private routeMoving(item: T, key: unknown, held: Held<T> | undefined): boolean {
    const handoff = this.handoff!
    const router = this.options.router
    const slot = this.routeSet[router.pick(item, key, this.routeSet)]!
    if (handoff.from[router.pick(item, key, handoff.from)] !== slot) {
      if (this.heldCount >= this.capacity) return held ? false : this.refuse(1)
      handoff.queue.push({ slot, held: held ?? { item, ticket: undefined } })
      this.heldCount++
      return true
    }
    const port = slot.port
    if (held === undefined && port !== undefined && !slot.holding) return port.tryAdd(item)
    if (held !== undefined && port !== undefined && !slot.holding && port.pending < port.capacity) {
      port.submit(item).then(held.ticket?.resolve, held.ticket?.reject)
      return true
    }
    return this.hold(slot, held ?? { item, ticket: undefined }) || (held ? false : this.refuse(1))
  }

  /** Holds an accepted item for `slot` (bounded by one worker's capacity per slot). */
  private hold(slot: Slot<T>, held: Held<T>): boolean {
    if (slot.held.length >= this.options.workerCapacity) return false
    slot.held.push(held)
    this.heldCount++
    if (!slot.holding) this.closeSlot(slot)
    if (slot.port !== undefined) void this.deliverHeld(slot)
    return true
  }

  /** Counts `count` items refused (never accepted) as dropped. */
  refuse(count: number): false {
    this.itemsDropped += count
    return false
  }

  /** Feeds a slot's held items to its worker in order; the slot opens to direct routing when none is left. */
  private async deliverHeld(slot: Slot<T>): Promise<void> {
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
        this.heldCount--
        if (held.ticket) {
          port.submit(held.item).then(held.ticket.resolve, held.ticket.reject)
        } else if (!port.tryAdd(held.item)) {
          await port.add(held.item).catch(() => this.hold(slot, held))
        }
      }
      if (slot.port !== undefined) this.openSlot(slot)
    } finally {
      slot.delivering = false
    }
  }

  private closeSlot(slot: Slot<T>): void {
    if (!slot.holding) {
      slot.holding = true
      slot.ready = new Promise((resolve) => (slot.markReady = resolve))
    }
  }

  private openSlot(slot: Slot<T>): void {
    slot.holding = false
    slot.leftoverAt = 0
    slot.markReady()
  }

  // ── Workers: spawn, attach, crash, restart ─────────────────────────────────────────

  /** Spawns the initial workers. */
  start(spawn: Spawn, count: number): void {
    for (let i = 0; i < count; i++) this.routeSet.push(this.spawnInto(this.newSlot(), spawn))
    this.slots.push(...this.routeSet)
  }

  private newSlot(): Slot<T> {
    const id = `worker-${this.nextSlot++}`
    const slot: Slot<T> = {
      id, idHash: hashKey(id), ref: undefined, logic: undefined, stash: [], crash: undefined, port: undefined, holding: false, held: [], leftoverAt: 0,
      delivering: false, retiring: false, ready: Promise.resolve(), markReady: () => {},
      load: () => (slot.port?.pending ?? 0) + slot.held.length,
    }
    this.closeSlot(slot)
    return slot
  }

  /**
   * Spawns a worker into `slot` as a real child (`id` and `systemId` = the slot name, under this
   * supervisor's own systemId in a tree). The error observer is registered before the child
   * starts, so it runs before the worker's runtime gives up its items: it takes them first.
   */
  private spawnInto(slot: Slot<T>, spawn: Spawn): Slot<T> {
    const ownId = (this.self as { systemId?: string }).systemId
    const prefix = ownId ? `${ownId}/` : ''
    slot.logic ??= this.options.workerLogicFor((items, tickets) => this.takeLeftovers(slot, items, tickets))
    const ref = spawn(slot.logic.logic, { id: slot.id, systemId: prefix + slot.id })
    slot.ref = ref
    ref.subscribe({ error: (error: unknown) => this.onWorkerError(slot, ref, error) })
    const started = ref.subscribe({
      next: () => {
        started.unsubscribe()
        this.attach(slot, ref)
      },
      error: () => {},
    })
    return slot
  }

  /** The worker started: its data plane becomes reachable; held items go in first. */
  private attach(slot: Slot<T>, ref: AnyActorRef): void {
    if (slot.ref !== ref || slot.port !== undefined) return
    const port = slot.logic!.portOf(ref)
    if (!port) return
    slot.port = port
    this.ports.push({ port, slot, handedOver: 0, live: true })
    void this.deliverHeld(slot)
  }

  /**
   * A worker actor that stops without draining (crash, or its parent stopped) gives up what it
   * held, each item with its `submit` promise. Its slot keeps them until the actor's observers
   * say which: on a crash they go to the replacement; otherwise (if no one claims them within
   * the current job) their promises are rejected and the items go to the user's onDeadLetter.
   */
  private takeLeftovers(slot: Slot<T>, items: T[], tickets: readonly (Held<T>['ticket'])[]): boolean {
    const crash = slot.crash
    if (this.failed && crash === undefined) return false
    const held = items.map((item, index) => ({ item, ticket: tickets[index] }))
    if (crash !== undefined) {
      // The crash was seen first (observers of one actor error run in either order): the leftovers go straight
      // to the replacement, or, when that crash made the supervisor escalate, to onDeadLetter with the escalation.
      if (!this.failed) return this.holdLeftovers(slot, held, crash.record)
      if (crash.record) crash.record.handedOver += held.length
      this.deadLetterHeld(held, this.escalationError())
      return true
    }
    slot.stash.push(held)
    queueMicrotask(() => this.deadLetterStash(slot))
    return true
  }

  /** Holds a crashed worker's leftovers for its replacement, before anything that arrived after the crash. */
  private holdLeftovers(slot: Slot<T>, held: Held<T>[], record: PortRecord<T> | undefined): true {
    if (record) record.handedOver += held.length
    slot.held.splice(slot.leftoverAt, 0, ...held)
    slot.leftoverAt += held.length
    this.heldCount += held.length
    return true
  }

  private deadLetterStash(slot: Slot<T>): void {
    const error = new AbortError('The worker was stopped before it drained')
    for (const held of slot.stash.splice(0)) {
      for (const entry of held) entry.ticket?.reject(error)
      this.deadLetter(held.map((entry) => entry.item), error, true)
    }
  }

  private onWorkerError(slot: Slot<T>, ref: AnyActorRef, error: unknown): void {
    if (slot.ref !== ref || this.failed) return
    const port = slot.port
    slot.port = undefined
    this.closeSlot(slot)
    slot.leftoverAt = 0
    this.lastCrash = error
    this.options.logger.warn(`loadbatch: supervisor worker ${slot.id} crashed`, error)
    const record = this.ports.find((entry) => entry.port === port)
    if (record) record.live = false
    // If the worker's runtime observed the error first, it has given up its items (flights before the buffer: oldest first);
    // if not, it gives them up within this same error dispatch, and `slot.crash` sends them to `held`.
    for (const held of slot.stash.splice(0)) this.holdLeftovers(slot, held, record)
    slot.crash = { record }
    queueMicrotask(() => (slot.crash = undefined))
    this.restartQueue.push(slot)
    this.self.send({ type: 'WORKER_CRASHED', workerId: slot.id, at: this.options.scheduler.now(), error })
  }

  /** Arms the backoff before the next restart: `backoffMs`, doubling with each crash inside the window. */
  scheduleRestart(crashesInWindow: number): void {
    const delay = backoffDelay(crashesInWindow, this.options.restart)
    this.later(delay, () => this.self.send({ type: 'RESTART_DUE' }))
  }

  /** Replaces the oldest crashed worker under the same slot name; it gets the held items before anything new. */
  restartWorker(spawn: Spawn): void {
    const slot = this.restartQueue.shift()
    if (!slot || this.failed) return
    this.restarts++
    this.spawnInto(slot, spawn)
  }

  // ── Scaling ────────────────────────────────────────────────────────────────────────

  private armScaleTimer(): void {
    const { input, scale } = this.options
    if (input.min === input.max || !this.accepting) return
    this.scaleTimer = this.later(scale.intervalMs, () => {
      this.scaleTimer = undefined
      const desired = this.desiredWorkers()
      // desiredWorkers() asks for one fewer than `min` when idle at `min`: the chart clamps it, and the timer sleeps.
      const idle = desired <= input.min && this.routeSet.length === input.min && this.pending === 0
      if (!idle) this.armScaleTimer() // an idle pool at min sleeps until the next item
      this.self.send({ type: 'SCALE_TICK', at: this.options.scheduler.now(), desired })
    })
  }

  /** The worker count the load asks for: one more above the high water or score, one fewer below both low marks. */
  desiredWorkers(): number {
    const { scale, workerCapacity } = this.options
    const count = this.routeSet.length
    let pending = 0
    let score = 0
    let live = 0
    for (const slot of this.routeSet) {
      pending += slot.load()
      if (slot.port) {
        score += slot.port.metrics().loadScore
        live++
      }
    }
    const depth = pending / count / workerCapacity
    const meanScore = live === 0 ? 0 : score / live
    if (depth > scale.highWater || meanScore > scale.highScore) return count + 1
    if (depth < scale.lowWater && meanScore < scale.lowScore) return count - 1
    return count
  }

  /** Adds a worker. With a keyed router, the keys it wins wait until their old owners flushed what they hold. */
  addWorker(spawn: Spawn): void {
    const from = this.routeSet
    const slot = this.spawnInto(this.newSlot(), spawn)
    this.slots.push(slot)
    this.routeSet = [...from, slot]
    this.options.logger.info(`loadbatch: supervisor scaled up to ${this.routeSet.length} workers`)
    // Only a keyed router needs the old owners flushed before their keys move to the new worker.
    const barrier = this.options.router.keyed ? Promise.all(from.map((old) => this.flushSlot(old))) : Promise.resolve()
    this.changeMembership(from, barrier)
  }

  /** Takes the newest worker out of routing and drains it; its keys move once it stopped. */
  retireWorker(): void {
    const from = this.routeSet
    const slot = from[from.length - 1]!
    slot.retiring = true
    this.routeSet = from.slice(0, -1)
    this.options.logger.info(`loadbatch: supervisor scaled down to ${this.routeSet.length} workers`)
    this.changeMembership(from, this.drainSlot(slot))
  }

  private changeMembership(from: readonly Slot<T>[], barrier: Promise<unknown>): void {
    if (!this.options.router.keyed) {
      void barrier.then(() => this.self.send({ type: 'SCALE_DONE' }))
      return
    }
    const queue: Handoff<T>['queue'] = []
    const done = barrier.then(() => {
      this.handoff = undefined
      for (const { slot, held } of queue) {
        this.heldCount--
        this.hold(slot, held) || this.forceHold(slot, held)
      }
      this.self.send({ type: 'SCALE_DONE' })
    })
    this.handoff = { from, queue, done }
  }

  /** An accepted item is never dropped: past the per-slot bound it is held anyway. */
  private forceHold(slot: Slot<T>, held: Held<T>): boolean {
    slot.held.push(held)
    this.heldCount++
    this.closeSlot(slot)
    if (slot.port) void this.deliverHeld(slot)
    return true
  }

  /** Resolves when everything the slot's worker held when called has settled, following it across restarts. */
  private async flushSlot(slot: Slot<T>): Promise<void> {
    for (;;) {
      await slot.ready
      const port = slot.port
      if (!port || this.failed) return
      await port.flush()
      if (slot.port === port || this.failed) return
    }
  }

  /** Sends STOP to the slot's worker (once it is live and has taken its held items); resolves when it stopped without crashing. */
  private async drainSlot(slot: Slot<T>, timeoutMs?: number): Promise<void> {
    for (;;) {
      await slot.ready
      const port = slot.port
      const ref = slot.ref
      if (!port || !ref || this.failed) return
      if (ref.getSnapshot().status === 'active') ref.send(timeoutMs === undefined ? { type: 'STOP' } : { type: 'STOP', timeoutMs })
      await port.stopped
      if (slot.port === port || this.failed) {
        const record = this.ports.find((entry) => entry.port === port)
        if (record && slot.retiring) record.live = false
        return
      }
    }
  }

  // ── Control plane actions ──────────────────────────────────────────────────────────

  /** Cuts every worker's buffer; resolves when all of it has settled. */
  flush(): Promise<void> {
    return Promise.all(this.routeSet.map((slot) => this.flushSlot(slot))).then(() => undefined)
  }

  /** Sends a feedback sample to every live worker. */
  shareFeedback(feedback: unknown): void {
    for (const slot of this.routeSet) slot.ref?.send({ type: 'FEEDBACK', feedback })
  }

  /** Stops routing; drains every worker (after a pending handoff); sends `DRAINED` when all stopped. */
  beginDrain(timeoutMs?: number): void {
    if (this.draining) return
    this.accepting = false
    this.draining = true
    this.scaleTimer?.unsubscribe()
    void (async () => {
      await this.handoff?.done
      const retiring = this.slots.filter((slot) => slot.retiring)
      for (const slot of this.slots) slot.retiring = true
      await Promise.all([...this.routeSet, ...retiring].map((slot) => this.drainSlot(slot, timeoutMs)))
      if (!this.failed) this.self.send({ type: 'DRAINED' })
    })()
  }

  /** Gives up: what is held goes to onDeadLetter, workers give up theirs and stop. Then `ESCALATE` makes the actor error. */
  escalate(): void {
    const error = new SupervisorEscalatedError(this.options.input.maxRestarts, this.options.input.withinMs, this.lastCrash)
    this.escalated = error
    this.abandon(error)
    this.failed = true
    this.options.logger.error('loadbatch: supervisor escalated', error)
    this.resolveFinished('failed')
    this.self.send({ type: 'ESCALATE' })
  }

  /** The error `raiseEscalation` throws. */
  escalationError(): SupervisorEscalatedError {
    return (this.escalated ??= new SupervisorEscalatedError(this.options.input.maxRestarts, this.options.input.withinMs, this.lastCrash))
  }

  /** Dead-letters what is held and makes every worker give up what it holds; used on escalation (and by a parent). */
  abandon(error: unknown): void {
    this.accepting = false
    this.releaseTimers()
    const held = [...(this.handoff?.queue.map((entry) => entry.held) ?? []), ...this.slots.flatMap((slot) => slot.held.splice(0))]
    if (this.handoff) this.handoff.queue.length = 0
    this.heldCount = 0
    this.deadLetterHeld(held, error)
    for (const slot of this.slots) {
      slot.port?.abandon(error)
      if (slot.ref?.getSnapshot().status === 'active') slot.ref.send({ type: 'STOP' })
      slot.markReady()
    }
  }

  /** Rejects the `submit`s of held items and dead-letters them, counted as the supervisor's own. */
  private deadLetterHeld(held: readonly Held<T>[], error: unknown): void {
    if (held.length === 0) return
    for (const entry of held) entry.ticket?.reject(error)
    this.ports.push({ port: deadLetteredPort(held.length), slot: this.slots[0]!, handedOver: 0, live: false })
    this.deadLetter(held.map((entry) => entry.item), error)
  }

  private deadLetter(items: T[], error: unknown, fromWorker = false): void {
    const { onDeadLetter, logger } = this.options
    if (fromWorker && onDeadLetter === undefined) return logger.error(`loadbatch: ${items.length} item(s) failed after their last attempt and no onDeadLetter is set`, error)
    if (!onDeadLetter) return logger.error(`loadbatch: ${items.length} held item(s) dead-lettered and no onDeadLetter is set`, error)
    try {
      const result = onDeadLetter(items, error)
      if (result && typeof result.then === 'function') result.then(undefined, (e: unknown) => logger.error('loadbatch: onDeadLetter rejected', e))
    } catch (e) {
      logger.error('loadbatch: onDeadLetter threw', e)
    }
  }

  /** Cancels every timer and settles `stopped`. Called on reaching `stopped`. */
  release(): void {
    this.releaseTimers()
    this.resolveFinished('stopped')
  }

  private releaseTimers(): void {
    this.scaleTimer?.unsubscribe()
    this.scaleTimer = undefined
    for (const timer of this.timers) timer.unsubscribe()
    this.timers.clear()
  }

  private later(delay: number, work: () => void): Subscription {
    const timer = scheduleAfter(this.options.scheduler, delay, () => {
      this.timers.delete(timer)
      work()
    })
    this.timers.add(timer)
    return timer
  }

  // ── Metrics ────────────────────────────────────────────────────────────────────────

  /** Items held plus buffered and in flight in every worker. */
  get pending(): number {
    let pending = this.heldCount
    for (const slot of this.routeSet) pending += slot.port?.pending ?? 0
    return pending
  }

  /** Resolves when some worker has room (or nothing can change any more). */
  whenRoom(): Promise<void> {
    const ports = this.routeSet.flatMap((slot) => (slot.port ? [slot.port] : []))
    if (ports.length === 0 || ports.some((port) => port.pending < port.capacity)) return Promise.resolve()
    return Promise.race(ports.map((port) => port.whenRoom()))
  }

  /** Sums of every worker's counters (present and past), with the supervisor's held items and refusals. */
  metrics(state: SupervisorState = 'running'): SupervisorMetrics {
    const total = emptyMetrics()
    let p50 = 0
    let p99 = 0
    let batchSizes = 0
    let scores = 0
    let live = 0
    const workers: SupervisorMetrics['workers'] = []
    for (const { port, slot, handedOver, live: isLive } of this.ports) {
      const m = port.metrics()
      total.itemsAdded += m.itemsAdded - handedOver
      total.itemsFlushed += m.itemsFlushed
      total.itemsDropped += m.itemsDropped
      total.itemsFailed += m.itemsFailed - handedOver
      total.itemsBuffered += m.itemsBuffered
      total.itemsInFlight += m.itemsInFlight
      total.flushCount += m.flushCount
      total.failedFlushes += m.failedFlushes
      total.retries += m.retries
      total.totalFlushMs += m.totalFlushMs
      total.feedbackRejected += m.feedbackRejected
      total.oversizedItems += m.oversizedItems
      total.lastFlushMs = Math.max(total.lastFlushMs, m.lastFlushMs)
      p50 = Math.max(p50, m.p50FlushMs)
      p99 = Math.max(p99, m.p99FlushMs)
      total.avgBatchSize += m.avgBatchSize * m.flushCount
      if (isLive && slot.port === port) {
        batchSizes += m.batchSize
        scores += m.loadScore
        total.concurrency += m.concurrency
        live++
        workers.push({ ...m, id: slot.id })
      }
    }
    total.itemsAdded += this.heldCount
    total.itemsBuffered += this.heldCount
    total.itemsDropped += this.itemsDropped
    total.avgFlushMs = total.flushCount === 0 ? 0 : total.totalFlushMs / total.flushCount
    total.avgBatchSize = total.flushCount === 0 ? 0 : total.avgBatchSize / total.flushCount
    total.p50FlushMs = p50
    total.p99FlushMs = p99
    total.batchSize = live === 0 ? 0 : batchSizes / live
    total.loadScore = live === 0 ? 0 : scores / live
    return { ...total, state, workerCount: this.routeSet.length, restarts: this.restarts, itemsHeld: this.heldCount, workers }
  }
}

/** Resolves when `promise` does; rejects with AbortError as soon as `signal` aborts (or at once if it already has). */
function untilAborted(promise: Promise<unknown>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise.then(() => undefined)
  if (signal.aborted) return Promise.reject(new AbortError(signal.reason))
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(new AbortError(signal.reason))
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    })
  })
}

/** Counters of held items dead-lettered by the supervisor itself, so the sums keep the invariant. */
function deadLetteredPort<T>(count: number): WorkerPort<T> {
  const metrics = { ...emptyMetrics(), itemsAdded: count, itemsFailed: count, state: 'stopped' }
  return {
    tryAdd: () => false, add: () => Promise.reject(new BatcherStoppedError()), submit: () => Promise.reject(new BatcherStoppedError()),
    pending: 0, capacity: 0, whenRoom: () => Promise.resolve(), flush: () => Promise.resolve(), metrics: () => metrics,
    stopped: Promise.resolve(), abandon: () => {},
  }
}

function emptyMetrics(): Omit<WorkerMetrics, 'state'> {
  return {
    itemsAdded: 0, itemsFlushed: 0, itemsDropped: 0, itemsFailed: 0, itemsBuffered: 0, itemsInFlight: 0, flushCount: 0,
    failedFlushes: 0, retries: 0, lastFlushMs: 0, avgFlushMs: 0, totalFlushMs: 0, p50FlushMs: 0, p99FlushMs: 0, batchSize: 0,
    avgBatchSize: 0, concurrency: 0, loadScore: 0, feedbackRejected: 0, oversizedItems: 0,
  }
}

// ── Logic and the embedding API ──────────────────────────────────────────────────────

/** The supervisor's actor logic with its implementations provided: spawn it, invoke it, or use it as another supervisor's `worker`. */
export type SupervisorLogic = ReturnType<typeof supervisorMachine.provide>

/** The supervisor logic for `options`, a way to reach the runtime behind each actor made from it, and `portOf` so it can be a worker. */
export function createSupervisorLogic<T>(options: SupervisorOptions<T>): {
  logic: SupervisorLogic
  portOf: (actor: AnyActorRef) => WorkerPort<T> | undefined
  runtimeOf: (actor: AnyActorRef) => SupervisorRuntime<T> | undefined
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
          created.start(spawn as unknown as Spawn, resolved.input.initial)
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
        flushWorkers: ({ self }) => void runtime(self).flush(),
        shareFeedback: ({ self, event }) => {
          assertEvent(event, 'FEEDBACK')
          runtime(self).shareFeedback(event.feedback)
        },
        addWorker: assign(({ self, spawn }) => {
          runtime(self).addWorker(spawn as unknown as Spawn)
          return {}
        }),
        retireWorker: ({ self }) => runtime(self).retireWorker(),
        scheduleRestart: ({ self, context }) => runtime(self).scheduleRestart(context.crashes.length),
        restartWorker: assign(({ self, spawn }) => {
          runtime(self).restartWorker(spawn as unknown as Spawn)
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
  return {
    logic,
    runtimeOf: (actor) => runtimes.get(actor),
    portOf(actor) {
      const found = runtimes.get(actor)
      if (!found) return undefined
      return {
        tryAdd: (item) => found.tryAdd(item),
        add: (item, signal) => found.add(item, signal),
        submit: (item, signal) => found.submit(item, signal),
        get pending() {
          return found.pending
        },
        capacity: found.capacity,
        whenRoom: () => found.whenRoom(),
        flush: () => found.flush(),
        metrics: () => found.metrics(stateOf(actor)),
        stopped: found.stopped,
        abandon: (error) => found.abandon(error),
      }
    },
  }
}

/** A running supervisor: the same embedding API as one batcher, over a pool of worker actors. */
export interface Supervisor<T> {
  /** Routes `item` to a worker if it has room now; never waits. False when stopping or the chosen worker is full (counted as dropped). */
  tryAdd(item: T): boolean
  /** Routes `item`, waiting for room in its worker. Rejects with AbortError on abort, BatcherStoppedError after stop. */
  add(item: T, options?: WaitOptions): Promise<void>
  /** Like `add`, but resolves when the item was flushed and rejects when it was finally dead-lettered; follows the item across a worker crash. */
  submit(item: T, options?: WaitOptions): Promise<void>
  /** Routes as many of `items` as fit now; returns how many were accepted. */
  addMany(items: readonly T[]): number
  /** Cuts every worker's buffer; resolves when what they held has settled. */
  flush(): Promise<void>
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
  const runtime = created.runtimeOf(actor)!
  let stopping: Promise<void> | undefined
  const state = () => stateOf(actor)
  return {
    tryAdd: (item) => runtime.tryAdd(item),
    add: (item, waitOptions) => runtime.add(item, waitOptions?.signal),
    submit: (item, waitOptions) => runtime.submit(item, waitOptions?.signal),
    addMany: (items) => runtime.addMany(items),
    flush: () => runtime.flush(),
    stop(stopOptions) {
      if (!stopping) {
        actor.send(stopOptions?.timeoutMs === undefined ? { type: 'STOP' } : { type: 'STOP', timeoutMs: stopOptions.timeoutMs })
        stopping = runtime.finished.then((outcome) => {
          if (outcome === 'failed') throw runtime.escalationError()
        })
      }
      return stopping
    },
    metrics: () => runtime.metrics(state()),
    get state() {
      return state()
    },
    actor,
    supervisorLogic: created.logic,
    workerLogic: created,
  }
}

/**
 * The contract's state of a supervisor actor: `failed` once it escalated, `stopped` once it is no
 * longer running for any other reason (drained, or stopped from outside by `actor.stop()`).
 */
function stateOf(actor: AnyActorRef): SupervisorState {
  const snapshot = actor.getSnapshot()
  if (snapshot.status === 'active') return snapshot.value as SupervisorState
  return snapshot.status === 'error' ? 'failed' : 'stopped'
}

/** The machine input for `options` (already checked by createSupervisorLogic). */
function inputOf<T>(options: SupervisorOptions<T>): Required<SupervisorInput> {
  return resolveInput(options)
}

// ── Options ──────────────────────────────────────────────────────────────────────────

/** Every option of createSupervisor, in the order of {@link SupervisorOptions}. */
const SUPERVISOR_OPTIONS = ['worker', 'workers', 'route', 'restart', 'scale', 'onDeadLetter', 'scheduler', 'inspect', 'logger', 'keepAlive'] as const

function isWorkerLogic<T>(worker: SupervisorOptions<T>['worker']): worker is WorkerLogic<T> {
  return typeof worker === 'object' && worker !== null && 'logic' in worker && typeof (worker as WorkerLogic<T>).portOf === 'function'
}

function resolveSupervisorOptions<T>(options: SupervisorOptions<T>): ResolvedSupervisor<T> {
  const given = checkKeys('', options, SUPERVISOR_OPTIONS, 'createSupervisor')
  const { worker } = options
  if (typeof worker !== 'object' || worker === null || Array.isArray(worker)) {
    throw new ConfigError('worker', 'batcher options ({ flush, … }) or a worker logic (createSupervisorLogic(…))', worker)
  }
  const input = resolveInput(options)
  const router = options.route ?? roundRobin<T>()
  if (typeof router !== 'object' || router === null || typeof router.pick !== 'function') {
    throw new ConfigError('route', 'a Router: roundRobin(), leastLoaded() or byKey(fn)', router)
  }
  const restart = resolveBackoff('restart', options.restart ?? {}, false)
  const scale = resolveScale(options.scale ?? {})
  checkFunction('onDeadLetter', options.onDeadLetter)
  checkInspect('inspect', given['inspect'])
  const ownLogger = options.logger === undefined ? undefined : checkLogger('logger', options.logger)
  if (options.scheduler !== undefined) checkScheduler('scheduler', options.scheduler)
  const keepAliveOption = options.keepAlive === undefined ? undefined : checkBoolean('keepAlive', options.keepAlive, true)
  let workerLogicFor: ResolvedSupervisor<T>['workerLogicFor']
  let workerCapacity: number
  let logger = ownLogger
  let scheduler = options.scheduler
  let onDeadLetter = options.onDeadLetter
  let keepAlive = keepAliveOption
  if (isWorkerLogic(worker)) {
    workerLogicFor = () => worker
    workerCapacity = Infinity
  } else {
    const base: BatcherOptions<T> = { ...worker }
    if (options.scheduler !== undefined) base.scheduler ??= options.scheduler
    if (keepAliveOption !== undefined) base.keepAlive ??= keepAliveOption
    const resolved = resolveOptions(base, 'worker')
    scheduler ??= worker.scheduler
    logger ??= worker.logger === undefined ? undefined : resolved.logger
    onDeadLetter ??= worker.onDeadLetter
    keepAlive ??= worker.keepAlive
    workerCapacity = resolved.capacity
    const capacity = workerCapacity
    workerLogicFor = (takeLeftovers) => batcherWorkerLogic(base, capacity, takeLeftovers)
  }
  return {
    workerLogicFor,
    workerCapacity,
    input,
    router,
    restart,
    scale,
    scheduler: scheduler ?? unrefScheduler,
    logger: logger ?? silentLogger,
    onDeadLetter,
    keepAlive: keepAlive ?? scheduler === undefined,
  }
}

function resolveInput<T>(options: SupervisorOptions<T>): Required<SupervisorInput> {
  const workers = options.workers === undefined ? {} : (checkKeys('workers', options.workers, ['min', 'max', 'initial'], 'workers') as WorkerCountOptions)
  const min = checkNumber('workers.min', workers.min, SUPERVISOR_DEFAULTS.min, { min: 1, integer: true })
  const max = checkNumber('workers.max', workers.max, min, { min: 1, integer: true })
  if (max < min) throw new ConfigError('workers.max', `an integer >= workers.min (${min})`, max)
  const initial = checkNumber('workers.initial', workers.initial, min, { min: 1, integer: true })
  if (initial < min || initial > max) throw new ConfigError('workers.initial', `an integer within [${min}, ${max}] (default: min)`, initial)
  const restart = options.restart === undefined ? {} : (checkKeys('restart', options.restart, ['maxRestarts', 'withinMs', 'backoffMs', 'maxBackoffMs'], 'restart') as RestartOptions)
  const maxRestarts = checkNumber('restart.maxRestarts', restart.maxRestarts, SUPERVISOR_DEFAULTS.maxRestarts, { min: 0, integer: true })
  const withinMs = checkNumber('restart.withinMs', restart.withinMs, SUPERVISOR_DEFAULTS.withinMs, { min: 1, max: Infinity })
  const scale = options.scale === undefined ? {} : (checkKeys('scale', options.scale, SCALE_OPTIONS, 'scale') as ScaleOptions)
  const cooldownMs = checkNumber('scale.cooldownMs', scale.cooldownMs, SUPERVISOR_DEFAULTS.cooldownMs, { min: 0, max: Infinity })
  return { min, max, initial, maxRestarts, withinMs, cooldownMs }
}

const SCALE_OPTIONS = ['intervalMs', 'cooldownMs', 'highWater', 'lowWater', 'highScore', 'lowScore'] as const

function resolveScale(scale: ScaleOptions): Required<ScaleOptions> {
  const share = { min: 0, max: 1 }
  const highWater = checkNumber('scale.highWater', scale.highWater, 0.5, share)
  const highScore = checkNumber('scale.highScore', scale.highScore, 0.7, share)
  // A low mark left at its default follows a high mark set below it, so setting one option alone is never refused for the other.
  const resolved = {
    intervalMs: checkNumber('scale.intervalMs', scale.intervalMs, 1000, { min: 1, max: Infinity }),
    cooldownMs: checkNumber('scale.cooldownMs', scale.cooldownMs, SUPERVISOR_DEFAULTS.cooldownMs, { min: 0, max: Infinity }),
    highWater,
    lowWater: checkNumber('scale.lowWater', scale.lowWater, Math.min(0.1, highWater), share),
    highScore,
    lowScore: checkNumber('scale.lowScore', scale.lowScore, Math.min(0.3, highScore), share),
  }
  if (resolved.lowWater > resolved.highWater) throw new ConfigError('scale.lowWater', `<= scale.highWater (${resolved.highWater})`, resolved.lowWater)
  if (resolved.lowScore > resolved.highScore) throw new ConfigError('scale.lowScore', `<= scale.highScore (${resolved.highScore})`, resolved.lowScore)
  return resolved
}

/** Batcher logic as a worker: each spawned child has its own runtime, reached through `portOf`. */
function batcherWorkerLogic<T>(options: BatcherOptions<T>, capacity: number, takeLeftovers: LeftoverTaker<T>): WorkerLogic<T> {
  const { logic, runtimeOf } = createBatcherLogic(options, takeLeftovers)
  const ports = new WeakMap<AnyActorRef, WorkerPort<T>>()
  return {
    logic,
    portOf(actor) {
      const known = ports.get(actor)
      if (known) return known
      const runtime = runtimeOf(actor)
      if (!runtime) return undefined
      const port: WorkerPort<T> = {
        tryAdd: (item) => runtime.tryAdd(item),
        add: (item, signal) => runtime.add(item, signal),
        submit: (item, signal) => runtime.submit(item, signal),
        get pending() {
          return runtime.pending
        },
        capacity,
        whenRoom: () => runtime.whenSettledBelow(runtime.tailSeq - capacity + 1),
        flush() {
          const seq = runtime.tailSeq
          actor.send({ type: 'FLUSH' })
          return runtime.whenSettledBelow(seq)
        },
        metrics: () => runtime.metrics(batcherStateOf(actor)),
        stopped: runtime.stopped,
        abandon: (error) => runtime.abandon(error),
      }
      ports.set(actor, port)
      return port
    },
  }
}
