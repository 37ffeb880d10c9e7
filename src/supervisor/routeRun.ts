import type { WorkerPort } from '../port.ts'
import type { Router } from '../routing/router.ts'
import type { Slot } from './slot.ts'

/**
 * The run in progress (see `Router.run`): the slot the router picked, its worker's port, and
 * how many more items go there without asking the router. Whatever changes where items may go
 * ends it ({@link RouteRun.end}): stop, escalation, workers added or removed, a worker attached
 * to a slot, the scale timer falling asleep, and its own slot closing ({@link RouteRun.closed}).
 * A run starts only on a slot that takes items straight away, so while `left > 0` its port
 * takes the next item with no other check (the per-item path of the supervisor).
 */
export class RouteRun<T> {
  slot: Slot<T> | undefined
  port: WorkerPort<T> | undefined
  /** Items left in the run; 0: the next item asks the router. */
  left = 0

  constructor(
    private readonly router: Router<T>,
    private readonly length: number,
  ) {}

  /** The slot for the next item: the run's while it lasts; else the router's pick, which starts a new run if its worker takes items straight away. */
  choose(item: T, key: unknown, routeSet: readonly Slot<T>[]): Slot<T> {
    if (this.left > 0) {
      this.left--
      return this.slot!
    }
    const slot = routeSet[this.router.pick(item, key, routeSet)]!
    this.slot = slot
    this.port = slot.port
    // A slot that holds items back (no live worker, or items delivered first) gets one item per pick.
    this.left = slot.port !== undefined && !slot.holding ? this.length - 1 : 0
    return slot
  }

  /** `slot` holds items back from now on: a run on it ends. */
  closed(slot: Slot<T>): void {
    if (this.slot === slot) this.left = 0
  }

  /** Ends the run: the next item asks the router. */
  end(): void {
    this.left = 0
  }
}
