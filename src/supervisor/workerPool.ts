import type { Subscription } from 'rxjs'
import type { AnyActorRef } from 'xstate'
import { deadLetter } from '../deadLetter.ts'
import type { WorkerLogic } from '../port.ts'
import { backoffDelay } from '../retry.ts'
import { onWorkerCrash, takeLeftovers, type CrashHost } from './crashHandoff.ts'
import { drainSlot, flushSlot, newSlot, spawnWorker, type Held, type Slot, type Spawn } from './slot.ts'
import { deadLetteredPort, type PortRecord } from './supervisorMetrics.ts'
import type { ResolvedSupervisor } from './supervisorOptions.ts'

/** What the pool needs of the supervisor runtime, as callbacks (no import of it). */
export interface PoolHost<T> {
  /** True once the supervisor escalated. */
  isFailed(): boolean
  /** Counts `count` more items held by the supervisor. */
  addHeld(count: number): void
  /** The escalation's error. */
  escalationError(): unknown
  /** Runs `work` after `delay` ms on the supervisor's scheduler (cancelled when it stops). */
  later(delay: number, work: () => void): Subscription
  /** A worker started in `slot`: feed it what the slot holds. */
  attached(slot: Slot<T>): void
  /** The worker of `slot` crashed: the slot holds items back from now on. */
  crashed(slot: Slot<T>): void
}

/**
 * The supervisor's workers: the slots (`worker-<n>`), the routing set, every worker port ever
 * attached (for the sums), and the one-for-one restarts of crashed workers under their slot's
 * name, each getting its predecessor's leftovers before anything new.
 */
export class WorkerPool<T> {
  readonly slots: Slot<T>[] = []
  /** The routing set: slots in order, without retiring ones. */
  routeSet: Slot<T>[] = []
  /** Every worker port ever attached, with how many of its items were handed to a replacement. */
  readonly ports: PortRecord<T>[] = []
  /** Workers restarted after a crash, in all. */
  restarts = 0
  /** The latest crash's error (the cause of an escalation). */
  lastCrash: unknown
  private nextSlot = 0
  private readonly restartQueue: Slot<T>[] = []
  private readonly crashHost: CrashHost<T>
  /**
   * The worker logic, made once for every slot (one statechart for all workers: XState works out
   * a chart's transitions once per chart, on first use); what a worker gives up goes to the slot
   * it was spawned into.
   */
  private readonly logic: WorkerLogic<T>
  private readonly slotOf = new WeakMap<AnyActorRef, Slot<T>>()

  constructor(
    private readonly options: ResolvedSupervisor<T>,
    private readonly self: AnyActorRef,
    private readonly host: PoolHost<T>,
  ) {
    this.crashHost = {
      isFailed: host.isFailed,
      recordOf: (slot) => this.ports.find((entry) => entry.port === slot.port),
      addHeld: host.addHeld,
      deadLetterHeld: (held, error) => this.deadLetterHeld(held, error),
      deadLetterLeftovers: (items, error) => deadLetter(options.onDeadLetter, options.logger, items, error),
      escalationError: host.escalationError,
      reportCrash: (slot, error) => {
        this.lastCrash = error
        options.logger.warn(`loadbatch: supervisor worker ${slot.id} crashed`, error)
        this.restartQueue.push(slot)
        host.crashed(slot)
        self.send({ type: 'WORKER_CRASHED', workerId: slot.id, at: options.scheduler.now(), error })
      },
    }
    this.logic = options.workerLogicFor((items, tickets, actor) => {
      const slot = actor === undefined ? undefined : this.slotOf.get(actor)
      return slot !== undefined && takeLeftovers(slot, items, tickets, this.crashHost)
    })
  }

  /** Spawns the initial workers. */
  start(spawn: Spawn, count: number): void {
    for (let i = 0; i < count; i++) this.routeSet.push(this.spawnInto(newSlot<T>(`worker-${this.nextSlot++}`), spawn))
    this.slots.push(...this.routeSet)
  }

  /** Spawns one more worker into a new slot at the end of the routing set; returns the set before. */
  grow(spawn: Spawn): readonly Slot<T>[] {
    const from = this.routeSet
    const slot = this.spawnInto(newSlot<T>(`worker-${this.nextSlot++}`), spawn)
    this.slots.push(slot)
    this.routeSet = [...from, slot]
    this.options.logger.info(`loadbatch: supervisor scaled up to ${this.routeSet.length} workers`)
    return from
  }

  /** Takes the newest worker out of the routing set (it is retiring); returns the set before. */
  shrink(): readonly Slot<T>[] {
    const from = this.routeSet
    from[from.length - 1]!.retiring = true
    this.routeSet = from.slice(0, -1)
    this.options.logger.info(`loadbatch: supervisor scaled down to ${this.routeSet.length} workers`)
    return from
  }

  /** Spawns a worker into `slot`; its port is attached once it started, and its crash handed to the crash handoff. */
  private spawnInto(slot: Slot<T>, spawn: Spawn): Slot<T> {
    const ownId = (this.self as { systemId?: string }).systemId
    spawnWorker(slot, this.logic, spawn, ownId, (ref, error) => this.onWorkerError(slot, ref, error), (port) => {
      this.ports.push({ port, slot, handedOver: 0, live: true })
      this.host.attached(slot)
    })
    this.slotOf.set(slot.ref!, slot)
    return slot
  }

  private onWorkerError(slot: Slot<T>, ref: AnyActorRef, error: unknown): void {
    if (slot.ref !== ref || this.host.isFailed()) return
    onWorkerCrash(slot, error, this.crashHost)
  }

  /** Arms the backoff before the next restart: `backoffMs`, doubling with each crash inside the window. */
  scheduleRestart(crashesInWindow: number): void {
    const delay = backoffDelay(crashesInWindow, this.options.restart)
    this.host.later(delay, () => this.self.send({ type: 'RESTART_DUE' }))
  }

  /** Replaces the oldest crashed worker under the same slot name; it gets the held items before anything new. */
  restartWorker(spawn: Spawn): void {
    const slot = this.restartQueue.shift()
    if (!slot || this.host.isFailed()) return
    this.restarts++
    this.spawnInto(slot, spawn)
  }

  /** Rejects the `submit`s of held items and dead-letters them, counted as the supervisor's own. */
  deadLetterHeld(held: readonly Held<T>[], error: unknown): void {
    if (held.length === 0) return
    for (const entry of held) entry.ticket?.reject(error)
    this.ports.push({ port: deadLetteredPort(held.length), slot: this.slots[0]!, handedOver: 0, live: false })
    deadLetter(this.options.onDeadLetter, this.options.logger, held.map((entry) => entry.item), error, 'held item(s) dead-lettered')
  }

  /** Drains the slot's worker; a retired worker's counters stop counting as live once it stopped. */
  async drain(slot: Slot<T>, timeoutMs?: number): Promise<void> {
    const port = await drainSlot(slot, timeoutMs, this.host.isFailed)
    const record = this.ports.find((entry) => entry.port === port)
    if (record && slot.retiring) record.live = false
  }

  /** Cuts every worker's buffer; resolves when all of it has settled. */
  flush(): Promise<void> {
    return Promise.all(this.routeSet.map((slot) => flushSlot(slot, this.host.isFailed))).then(() => undefined)
  }

  /** Sends a feedback sample to every live worker. */
  shareFeedback(feedback: unknown): void {
    for (const slot of this.routeSet) slot.ref?.send({ type: 'FEEDBACK', feedback })
  }

  /** Resolves when some worker has room (or nothing can change any more). */
  whenRoom(): Promise<void> {
    const ports = this.routeSet.flatMap((slot) => (slot.port ? [slot.port] : []))
    if (ports.length === 0 || ports.some((port) => port.pending < port.capacity)) return Promise.resolve()
    return Promise.race(ports.map((port) => port.whenRoom()))
  }
}
