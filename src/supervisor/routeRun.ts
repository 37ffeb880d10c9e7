import type { WorkerPort } from '../port.ts'
import type { Router } from '../routing/router.ts'
import type { Slot } from './slot.ts'

/**
 * The run in progress (see `Router.run`): the slot the router picked, its worker's port, and
 * how many more items go there without asking the router. Whatever changes where items may go
 * ends it ({@link RouteRun.end}): stop, escalation, workers added or removed, a worker attached
 * to a slot, the scale timer falling asleep. A slot that holds items back is checked per item.
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

  /** The slot for the next item: the run's while it lasts and its worker takes items straight away; else the router's pick, which starts a new run. */
  choose(item: T, key: unknown, routeSet: readonly Slot<T>[]): Slot<T> {
    if (this.left > 0 && !this.slot!.holding) {
      this.left--
      return this.slot!
    }
    const slot = routeSet[this.router.pick(item, key, routeSet)]!
    this.slot = slot
    this.port = slot.port
    this.left = this.length - 1
    return slot
  }

  /** Ends the run: the next item asks the router. */
  end(): void {
    this.left = 0
  }
}
