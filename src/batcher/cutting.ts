import type { Subscription } from 'rxjs'
import type { FlushTrigger } from '../../machines/batcher.types.ts'
import { scheduleAfter } from '../scheduler.ts'
import type { BatcherCounters } from './batcherMetrics.ts'
import type { ResolvedOptions } from './batcherOptions.ts'
import type { FeedbackWindow } from './feedbackWindow.ts'
import type { ItemBuffer } from './itemBuffer.ts'

/**
 * When a batch is cut and how many items it takes: at the target size, at the weight ceiling,
 * on `flush()` (what was buffered then), after the oldest item waited `maxWaitMs` (the wait
 * timer, which sends `TIMEOUT` through `onTimeout`), or while draining.
 */
export class Cutting<T> {
  /** How long a partial batch waits: `maxWaitMs`, or less when the controller asks (`Controller.waitMs`). */
  private readonly waitMs: number
  /** Time the oldest buffered item arrived (exact when the buffer was empty before it). */
  private headSince = 0
  private waitTimer: Subscription | undefined
  /** Items with a sequence number below this are overdue (the wait timer fired after they arrived). */
  private timeDueUntilSeq = 0
  /** When the wait timer last fired: items accepted since arrived no earlier. */
  private timeDueAt = -Infinity
  /** Items with a sequence number below this are cut at once (`flush()`). */
  private flushUntilSeq = 0
  /** A check at the end of the turn whether the buffer stayed empty (then the wait timer is cancelled). */
  private idleCheck = false

  constructor(
    private readonly options: ResolvedOptions<T>,
    private readonly buffer: ItemBuffer<T>,
    private readonly window: FeedbackWindow<T>,
    private readonly counters: BatcherCounters,
    private readonly isDraining: () => boolean,
    private readonly onTimeout: () => void,
  ) {
    this.waitMs = Math.min(options.maxWaitMs, options.controller.waitMs ?? Infinity)
  }

  /** The first item of a batch arrived: its wait starts. */
  firstItem(): void {
    this.headSince = this.options.scheduler.now()
    // A timer still armed for an earlier batch fires no later than this one's deadline: it is kept (one timer per wait, not per batch).
    if (!this.waitTimer) this.arm(this.waitMs)
  }

  /** Asks for a cut: `manual` cuts all buffered now, `time` the overdue partial batch. */
  ask(trigger: 'manual' | 'time'): void {
    if (trigger === 'manual') {
      this.flushUntilSeq = Math.max(this.flushUntilSeq, this.buffer.tailSeq)
    } else {
      this.timeDueUntilSeq = this.buffer.tailSeq
      this.timeDueAt = this.options.scheduler.now()
    }
  }

  /** Why the next batch is due now, if it is. */
  due(): FlushTrigger | undefined {
    const buffer = this.buffer
    if (this.isDraining()) return 'drain'
    if (buffer.length >= this.window.target.batchSize) return 'size'
    if (buffer.weight >= this.options.maxBatchWeight) return 'weight'
    if (buffer.headSeq < this.flushUntilSeq) return 'manual'
    if (buffer.headSeq < this.timeDueUntilSeq) return 'time'
    return undefined
  }

  /** How many items the next batch takes: up to the target size and, with `weigh`, the weight ceiling. */
  length(): number {
    const limit = Math.min(this.window.target.batchSize, this.buffer.length)
    if (!this.buffer.weighted) return limit
    const ceiling = this.options.maxBatchWeight
    let weight = 0
    let count = 0
    while (count < limit) {
      const next = this.buffer.weightAt(count)
      if (count > 0 && weight + next > ceiling) break
      weight += next
      count++
      if (weight > ceiling) {
        this.counters.oversizedItems++ // heavier than the ceiling on its own: it goes alone
        break
      }
    }
    return count
  }

  /** After cutting: the wait timer is cancelled when nothing is left, else kept for the remainder. */
  afterCut(): void {
    if (this.buffer.length === 0) {
      // An empty buffer keeps its timer to the end of the turn: a next batch filling meanwhile reuses it (see `fired`).
      if (this.waitTimer && !this.idleCheck) {
        this.idleCheck = true
        queueMicrotask(() => {
          this.idleCheck = false
          if (this.buffer.length === 0) this.cancel()
        })
      }
    } else if (!this.waitTimer && this.buffer.headSeq >= this.timeDueUntilSeq) {
      // Items accepted after the wait timer fired (e.g. by the sink, re-entrantly) are not overdue:
      // their deadline counts from then at the earliest, so a self-feeding sink cannot spin.
      if (this.headSince < this.timeDueAt) this.headSince = this.timeDueAt
      // A remainder keeps the deadline of the oldest item cut before it: early, never late.
      this.arm(this.headSince + this.waitMs - this.options.scheduler.now())
    }
  }

  private arm(delay: number): void {
    if (delay === Infinity || this.isDraining()) return
    this.cancel()
    this.waitTimer = scheduleAfter(this.options.scheduler, delay, () => {
      this.waitTimer = undefined
      this.fired()
    })
  }

  /** The wait timer fired: the head's batch is overdue, or (armed for an earlier batch) the timer waits on for it. */
  private fired(): void {
    if (this.buffer.length === 0) return
    const left = this.headSince + this.waitMs - this.options.scheduler.now()
    if (left > 0) this.arm(left)
    else this.onTimeout()
  }

  /** Cancels the wait timer. */
  cancel(): void {
    this.waitTimer?.unsubscribe()
    this.waitTimer = undefined
  }
}
