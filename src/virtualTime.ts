import { VirtualTimeScheduler } from 'rxjs'

/** Virtual time for tests and simulations: an RxJS scheduler and ways to move it forward. */
export interface VirtualTime {
  /** Pass it as a batcher's `scheduler`. Its `now()` starts at 0. */
  readonly scheduler: VirtualTimeScheduler
  /** The virtual time now, in ms. */
  now(): number
  /**
   * Moves time forward by `ms`, running each timer due on the way in order, and letting
   * promises settle (microtasks and one macrotask turn) after each, so an async flush that
   * resolved "at" a virtual moment is seen before later timers fire.
   */
  advanceBy(ms: number): Promise<void>
  /** Lets pending promises settle without moving time. */
  settle(): Promise<void>
}

/**
 * Creates a virtual clock. Unlike `VirtualTimeScheduler.flush()`, which runs every timer at
 * once (a 30 s flush timeout would fire before a flush's promise could resolve), `advanceBy`
 * interleaves timers and promise settlement as real time would.
 *
 * @example
 * const time = createVirtualTime()
 * const batcher = createBatcher({ flush, maxWaitMs: 100, scheduler: time.scheduler })
 * batcher.tryAdd(1)
 * await time.advanceBy(100) // the partial batch was cut and flushed
 */
export function createVirtualTime(): VirtualTime {
  const scheduler = new VirtualTimeScheduler()
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve))
  return {
    scheduler,
    now: () => scheduler.now(),
    settle,
    async advanceBy(ms: number) {
      const target = scheduler.frame + ms
      await settle()
      for (;;) {
        const next = scheduler.actions[0]
        if (!next || next.delay > target) break
        scheduler.maxFrames = next.delay
        scheduler.flush()
        await settle()
      }
      scheduler.frame = target
      scheduler.maxFrames = Infinity
    },
  }
}
