import type { SchedulerLike, Subscription } from 'rxjs'
import { scheduleAfter } from '../scheduler.ts'

/** Cancels one deadline. */
export interface DeadlineHandle {
  unsubscribe(): void
}

interface Deadline {
  readonly at: number
  readonly fire: () => void
}

/**
 * The flush timeouts of one batcher on one timer: each attempt adds a deadline, and a single
 * timer wakes for the earliest one. A settled attempt only drops its deadline; the timer is
 * cancelled at the end of the turn when none is left, so no timer runs while nothing is in
 * flight, and a stream of quick flushes costs no timer each.
 */
export class FlushDeadlines {
  private readonly pending = new Set<Deadline>()
  private timer: Subscription | undefined
  private timerAt = Infinity
  private idleCheck = false

  constructor(private readonly scheduler: SchedulerLike) {}

  /** Calls `fire` once `delayMs` have passed (never for Infinity), unless the handle cancels it first. */
  add(delayMs: number, fire: () => void): DeadlineHandle {
    if (!(delayMs < Infinity)) return { unsubscribe: () => {} }
    const deadline: Deadline = { at: this.scheduler.now() + delayMs, fire }
    this.pending.add(deadline)
    if (deadline.at < this.timerAt) this.arm(deadline.at)
    return {
      unsubscribe: () => {
        if (this.pending.delete(deadline)) this.checkIdle()
      },
    }
  }

  private arm(at: number): void {
    this.timer?.unsubscribe()
    this.timerAt = at
    this.timer = scheduleAfter(this.scheduler, Math.max(0, at - this.scheduler.now()), () => this.fired())
  }

  private fired(): void {
    this.timer = undefined
    this.timerAt = Infinity
    const now = this.scheduler.now()
    for (const deadline of [...this.pending]) {
      if (deadline.at > now || !this.pending.delete(deadline)) continue
      deadline.fire()
    }
    let next = Infinity
    for (const deadline of this.pending) if (deadline.at < next) next = deadline.at
    if (next < this.timerAt) this.arm(next)
  }

  private checkIdle(): void {
    if (this.pending.size > 0 || this.timer === undefined || this.idleCheck) return
    this.idleCheck = true
    queueMicrotask(() => {
      this.idleCheck = false
      if (this.pending.size > 0) return
      this.timer?.unsubscribe()
      this.timer = undefined
      this.timerAt = Infinity
    })
  }
}
