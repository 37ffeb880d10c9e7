import type { SchedulerLike, Subscription } from 'rxjs'

/**
 * A sleep that can be cut short: `sleep(ms)` resolves after `ms` on the scheduler, or as soon
 * as `wake()` is called (room freed, stop asked). Infinity sleeps until woken. A source loop
 * waits on it instead of polling.
 */
export class Wakeup {
  private waiters: Array<() => void> = []

  constructor(private readonly scheduler: SchedulerLike) {}

  /** Resolves after `ms` or at the next `wake()`, whichever comes first. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: Subscription | undefined
      const done = () => {
        timer?.unsubscribe()
        resolve()
      }
      this.waiters.push(done)
      if (Number.isFinite(ms)) timer = this.scheduler.schedule(() => this.release(done), Math.max(0, ms))
    })
  }

  /** Ends every sleep now. */
  wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const done of waiters) done()
  }

  private release(done: () => void): void {
    const index = this.waiters.indexOf(done)
    if (index >= 0) this.waiters.splice(index, 1)
    done()
  }
}

/**
 * Counts the items a source handed to its port that have not settled yet, and tells when
 * none is left (what `stop()` waits for).
 */
export class Outstanding {
  private count = 0
  private idle: Array<() => void> = []

  /** Items handed over and not settled. */
  get size(): number {
    return this.count
  }

  /** One more item handed over. */
  add(): void {
    this.count++
  }

  /** One item settled (flushed or failed). */
  settle(): void {
    this.count--
    if (this.count === 0) {
      const idle = this.idle
      this.idle = []
      for (const resolve of idle) resolve()
    }
  }

  /** Resolves when no item is outstanding. */
  whenIdle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve))
  }
}

/** Resolves with `promise`'s settling, or after `ms` on `scheduler`, whichever comes first; never rejects. Infinity waits for the promise. */
export function settleWithin(promise: Promise<unknown>, ms: number, scheduler: SchedulerLike): Promise<'settled' | 'timedOut'> {
  const settled = promise.then(() => 'settled' as const, () => 'settled' as const)
  if (!Number.isFinite(ms)) return settled
  return new Promise((resolve) => {
    const timer = scheduler.schedule(() => resolve('timedOut'), Math.max(0, ms))
    void settled.then((outcome) => {
      timer.unsubscribe()
      resolve(outcome)
    })
  })
}
