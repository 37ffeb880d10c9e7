/**
 * The two clocks the hostile models run on: virtual time (an injected RxJS scheduler), and the
 * real default scheduler (`unrefScheduler`, with its setTimeout chaining and process hold)
 * under vitest's fake timers, which reproduce Node's timer clamp and keep the run deterministic.
 */
import type { SchedulerLike } from 'rxjs'
import { vi } from 'vitest'
import { createVirtualTime } from '../../src/virtualTime.ts'

/** One way of letting time pass in a test. */
export interface TestClock {
  readonly name: string
  /** The scheduler to give a batcher; undefined means its real default scheduler. */
  readonly scheduler: SchedulerLike | undefined
  /** Runs `work` after `ms` on this clock (for sinks that take time). */
  later(ms: number, work: () => void): void
  /** Moves time forward by `ms`, letting promises settle between timers. */
  advanceBy(ms: number): Promise<void>
  /** Lets pending promises settle without moving time. */
  settle(): Promise<void>
  /** Gives back whatever the clock took (fake timers). */
  dispose(): void
}

/** Virtual time: a fresh VirtualTimeScheduler. */
export function virtualClock(): TestClock {
  const time = createVirtualTime()
  return {
    name: 'virtual time',
    scheduler: time.scheduler,
    later: (ms, work) => void time.scheduler.schedule(work, ms),
    advanceBy: (ms) => time.advanceBy(ms),
    settle: () => time.settle(),
    dispose: () => {},
  }
}

/** The real default scheduler, its timers faked (setImmediate stays real, so promises settle). */
export function fakeRealClock(): TestClock {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] })
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve))
  return {
    name: 'the real default scheduler (fake timers)',
    scheduler: undefined,
    later: (ms, work) => void setTimeout(work, ms),
    advanceBy: async (ms) => {
      await vi.advanceTimersByTimeAsync(ms)
      await settle()
    },
    settle,
    dispose: () => vi.useRealTimers(),
  }
}
