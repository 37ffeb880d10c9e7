import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs'

/**
 * The default scheduler of a batcher: real time, with every timer `unref`ed so a batcher
 * never keeps a process alive by itself (`stop()` is how a process drains before it exits).
 * `now()` is monotonic (`performance.now()`), in ms with sub-ms precision.
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
    const handle = setTimeout(() => work.call(action, state), delay)
    handle.unref()
    subscription.add(() => clearTimeout(handle))
    return subscription
  },
}
