import type { Subscription } from 'rxjs'
import type { SupervisorEvent } from '../../machines/supervisor.types.ts'
import type { TimerSet } from '../scheduler.ts'
import { flushSlot, type Held, type Slot, type Spawn } from './slot.ts'
import type { ResolvedSupervisor, ScaleOptions } from './supervisorOptions.ts'
import type { WorkerPool } from './workerPool.ts'

/**
 * The worker count the load asks for: one more above the high water (items buffered, in flight
 * and held per worker, as a share of one worker's capacity) or the high score (the live
 * workers' mean load score), one fewer below both low marks, else as many as now.
 */
export function desiredWorkers<T>(routeSet: readonly Slot<T>[], scale: Required<ScaleOptions>, workerCapacity: number): number {
  const count = routeSet.length
  let pending = 0
  let score = 0
  let live = 0
  for (const slot of routeSet) {
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

/** A scaling step of a keyed router: items whose owner changes wait here until the old owners flushed. */
export interface Handoff<T> {
  /** The routing set before the step. */
  readonly from: readonly Slot<T>[]
  /** Items whose owner changes, with their new slot, in arrival order. */
  readonly queue: { slot: Slot<T>; held: Held<T> }[]
  /** Settles when the old owners flushed and the queue went to the new ones. */
  readonly done: Promise<void>
}

/** Starts a handoff from `from`; once `barrier` settles, `release` gets the queue (the handoff is over). */
export function startHandoff<T>(from: readonly Slot<T>[], barrier: Promise<unknown>, release: (queue: Handoff<T>['queue']) => void): Handoff<T> {
  const queue: Handoff<T>['queue'] = []
  return { from, queue, done: barrier.then(() => release(queue)) }
}

/** What scaling needs of the supervisor runtime, as callbacks (no import of it). */
export interface ScalingHost<T> {
  isAccepting(): boolean
  /** True once the supervisor escalated. */
  gaveUp(): boolean
  /** Items held, buffered and in flight. */
  pending(): number
  send(event: SupervisorEvent): void
  /** Ends the supervisor's run (see `Router.run`): where items may go changed, or the next item must wake the timer. */
  endRun(): void
  /** Hands a moved item to its new slot once the handoff is over. */
  rehold(slot: Slot<T>, held: Held<T>): void
}

/**
 * Autoscaling: the scale timer (asleep while the pool idles at `min`, woken by the next item)
 * tells the chart how many workers the load asks for; a step adds or retires one worker, and
 * with a keyed router the keys that move wait in a {@link Handoff} until their old owner flushed.
 */
export class Scaling<T> {
  /** The keyed handoff in progress, if any. */
  handoff: Handoff<T> | undefined
  private timer: Subscription | undefined
  /** False for a fixed pool (`workers.min === workers.max`): the timer never runs. */
  private readonly scales: boolean

  constructor(
    private readonly options: ResolvedSupervisor<T>,
    private readonly pool: WorkerPool<T>,
    private readonly timers: TimerSet,
    private readonly host: ScalingHost<T>,
  ) {
    this.scales = options.input.min < options.input.max
  }

  /** Arms the scale timer if it sleeps (every route in wakes it). */
  wake(): void {
    if (this.timer !== undefined || !this.scales) return
    const { input, scale } = this.options
    if (!this.host.isAccepting()) return
    this.timer = this.timers.after(scale.intervalMs, () => {
      this.timer = undefined
      const routeSet = this.pool.routeSet
      const desired = desiredWorkers(routeSet, scale, this.options.workerCapacity)
      // desiredWorkers() asks for one fewer than `min` when idle at `min`: the chart clamps it, and the timer sleeps.
      if (!(desired <= input.min && routeSet.length === input.min && this.host.pending() === 0)) this.wake()
      else this.host.endRun() // asleep: the next item must go through route() to wake it
      this.host.send({ type: 'SCALE_TICK', at: this.options.scheduler.now(), desired })
    })
  }

  /** Stops the scale timer. */
  stop(): void {
    this.timer?.unsubscribe()
    this.timer = undefined
  }

  /** Adds a worker. With a keyed router, the keys it wins wait until their old owners flushed what they hold. */
  addWorker(spawn: Spawn): void {
    const from = this.pool.grow(spawn)
    // Only a keyed router needs the old owners flushed before their keys move to the new worker.
    const barrier = this.options.router.keyed ? Promise.all(from.map((old) => flushSlot(old, this.host.gaveUp))) : Promise.resolve()
    this.changeMembership(from, barrier)
  }

  /** Takes the newest worker out of routing and drains it; its keys move once it stopped. */
  retireWorker(): void {
    const from = this.pool.shrink()
    this.changeMembership(from, this.pool.drain(from[from.length - 1]!))
  }

  private changeMembership(from: readonly Slot<T>[], barrier: Promise<unknown>): void {
    this.host.endRun()
    if (!this.options.router.keyed) {
      void barrier.then(() => this.host.send({ type: 'SCALE_DONE' }))
      return
    }
    this.handoff = startHandoff(from, barrier, (queue) => {
      this.handoff = undefined
      for (const { slot, held } of queue) this.host.rehold(slot, held)
      this.host.send({ type: 'SCALE_DONE' })
    })
  }
}
