import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs'

/** The longest delay Node's timers honour (2^31 − 1 ms, about 24.8 days); longer ones fire after 1 ms. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1

/**
 * The default scheduler of a batcher: real time, with every timer `unref`ed, so a timer alone
 * never keeps a process alive (a batcher holding accepted items keeps it alive through a
 * {@link ProcessHold} instead, and an idle one holds nothing). `now()` is monotonic
 * (`performance.now()`), in ms with sub-ms precision. Delays past {@link MAX_TIMER_DELAY_MS}
 * are honoured exactly (chained), and `Infinity` never fires.
 *
 * This is the one place in `src/` that touches the real clock; everything else goes through
 * an injected RxJS `SchedulerLike`, so tests and the simulator run on virtual time.
 */
export const unrefScheduler: SchedulerLike = {
  now: () => performance.now(),
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    const subscription = new Subscription()
    const action = Object.assign(subscription, {
      schedule(nextState?: T, nextDelay = 0): Subscription {
        return unrefScheduler.schedule(work, nextDelay, nextState)
      },
    }) as unknown as SchedulerAction<T>
    const handle = realTimeout(() => work.call(action, state), delay)
    subscription.add(() => handle.cancel())
    return subscription
  },
}

/** An unref'd real timer that honours any delay: chained past the 2^31 − 1 ms limit, never for Infinity or NaN. */
function realTimeout(work: () => void, delay: number): { cancel(): void } {
  let handle: ReturnType<typeof setTimeout> | undefined
  const wait = (remaining: number): void => {
    if (!(remaining < Infinity)) return // Infinity (or NaN) means never: no timer at all
    const step = Math.min(Math.max(0, remaining), MAX_TIMER_DELAY_MS)
    handle = setTimeout(() => (remaining > MAX_TIMER_DELAY_MS ? wait(remaining - MAX_TIMER_DELAY_MS) : work()), step)
    handle.unref()
  }
  wait(delay)
  return { cancel: () => clearTimeout(handle) }
}

/**
 * Runs `work` once after `delayMs` on `scheduler`, for any delay: `Infinity` means never (no
 * timer is armed; the returned subscription does nothing), and a finite delay past Node's
 * 2^31 − 1 ms limit is chained in steps, so it is honoured exactly on any scheduler (RxJS's
 * own `asyncScheduler` would fire it after 1 ms). Every timer of a batcher or supervisor goes
 * through here. Unsubscribing cancels it.
 */
export function scheduleAfter(scheduler: SchedulerLike, delayMs: number, work: () => void): Subscription {
  if (!(delayMs < Infinity)) return new Subscription()
  if (scheduler === unrefScheduler && delayMs <= MAX_TIMER_DELAY_MS) {
    // The default scheduler's common case, one Node timer (a tenth of the cost of going through schedule()):
    // batchers arm a wait and a flush timeout per batch when items trickle in.
    const handle = setTimeout(work, Math.max(0, delayMs))
    handle.unref()
    return new Subscription(() => clearTimeout(handle))
  }
  const timer = new Subscription()
  const wait = (remaining: number): void => {
    const step = Math.min(Math.max(0, remaining), MAX_TIMER_DELAY_MS)
    const inner = scheduler.schedule(() => {
      timer.remove(inner)
      if (remaining > MAX_TIMER_DELAY_MS) wait(remaining - MAX_TIMER_DELAY_MS)
      else work()
    }, step)
    timer.add(inner)
  }
  wait(delayMs)
  return timer
}

/** The one ref'd handle shared by every hold taken, and how many are taken. */
let processHandle: ReturnType<typeof setInterval> | undefined
let processHolds = 0

/**
 * Keeps the Node process alive while its owner holds accepted items (buffered, in flight or
 * waiting to retry), and lets it go when it holds none: "accepted means it will be flushed or
 * dead-lettered, even if your script ends". Every hold taken shares one ref'd interval that
 * does nothing; it exists only while some hold is taken, so an idle process holds no timer.
 */
export class ProcessHold {
  private held = false
  private releaseCheck = false

  constructor(private readonly enabled: boolean) {}

  /**
   * Takes the hold now when `busy`; otherwise gives it back at the end of the turn if `idle()`
   * still says so then (work that comes and goes within one turn costs no interval timer).
   */
  update(busy: boolean, idle: () => boolean): void {
    if (busy) return this.set(true)
    if (this.releaseCheck || !this.held) return
    this.releaseCheck = true
    queueMicrotask(() => {
      this.releaseCheck = false
      if (idle()) this.set(false)
    })
  }

  /** Takes the hold when `busy`, gives it back when not; repeated calls with the same value do nothing. */
  set(busy: boolean): void {
    if (busy === this.held || !this.enabled) return
    this.held = busy
    if (busy) {
      if (processHolds++ === 0) processHandle = setInterval(() => {}, MAX_TIMER_DELAY_MS)
    } else if (--processHolds === 0) {
      clearInterval(processHandle)
      processHandle = undefined
    }
  }
}

/** Timers that are cancelled together: each removes itself when it fires; `cancelAll` stops the rest. */
export class TimerSet {
  private readonly timers = new Set<Subscription>()

  constructor(private readonly scheduler: SchedulerLike) {}

  /** Runs `work` after `delayMs` (see {@link scheduleAfter}); the timer is cancelled by `cancelAll`. */
  after(delayMs: number, work: () => void): Subscription {
    const timer = scheduleAfter(this.scheduler, delayMs, () => {
      this.timers.delete(timer)
      work()
    })
    this.timers.add(timer)
    return timer
  }

  /** Cancels every timer not yet fired. */
  cancelAll(): void {
    for (const timer of this.timers) timer.unsubscribe()
    this.timers.clear()
  }
}
