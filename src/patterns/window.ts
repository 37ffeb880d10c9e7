import { isObservable, type Observable, type SchedulerLike, type Subscription } from 'rxjs'
import { checkFinite, checkNumber } from '../checkOption.ts'
import { ConfigError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { scheduleAfter, unrefScheduler } from '../scheduler.ts'
import { checkSource, type BatchSource } from './source.ts'
import { stageOnIterable, stageOnObservable, type StreamStage } from './streamStage.ts'

/** Time windows: each `sizeMs` long, a new one every `slideMs` (default `sizeMs`: tumbling). */
export interface TimeWindowOptions {
  readonly sizeMs: number
  readonly slideMs?: number
}

/** Count windows: each `count` items, a new one every `slide` items (default `count`: tumbling). */
export interface CountWindowOptions {
  readonly count: number
  readonly slide?: number
}

/** Options shared by both kinds of {@link window}. */
export interface WindowCommonOptions<T> {
  /** Cancels an async-iterable stream (the loop then throws AbortError); Observables cancel by unsubscribing. */
  readonly signal?: AbortSignal
  /**
   * Gets the windows not delivered when the stream is cancelled: open ones and closed ones not
   * yet taken. Called once more if an async source answers a read pending at the cancel.
   */
  readonly onCancel?: (pending: Window<T>[]) => void
  /** Time source of time windows (default: real time). */
  readonly scheduler?: SchedulerLike
  /** Where errors of `onCancel` are reported (default: silent). */
  readonly logger?: Logger
}

/** Options of {@link window}: time windows or count windows. */
export type WindowOptions<T> = (TimeWindowOptions | CountWindowOptions) & WindowCommonOptions<T>

/** One window and the items that fell into it, in arrival order. */
export interface Window<T> {
  /** Time windows: its start in scheduler ms (inclusive). Count windows: the position of its first item. */
  readonly start: number
  /** Time windows: its end in scheduler ms (exclusive). Count windows: the position after its last item. */
  readonly end: number
  /** The items, in arrival order. */
  readonly items: T[]
}

/**
 * Sliding or tumbling windows over a stream (the batch guide's window processor, with time
 * from the injected scheduler). Time windows start every `slideMs` from the moment the stream
 * starts and hold the items that arrive in `[start, start + sizeMs)`; count windows start at
 * every `slide`-th item and hold `count` items. An item belongs to every window that covers it
 * (with `slide < size`, several); with `slide > size`, items between windows belong to none.
 *
 * A window is emitted when it closes (time windows: at their end; count windows: when full),
 * in order of start. Windows no item fell into are not emitted, and no timer runs while no
 * window is open. Complete: the open windows are emitted at once (partial). Error: the same,
 * then the error. Cancel (unsubscribe, `break`, `signal`): the windows not delivered go to
 * `onCancel`.
 *
 * @example
 * window(events$, { sizeMs: 60_000, slideMs: 10_000 }).subscribe((w) => chart.add(w.start, w.items.length))
 * @example
 * for await (const w of window(readings(), { count: 100, slide: 50 })) report(mean(w.items))
 */
export function window<T>(source: Observable<T>, options: WindowOptions<T>): Observable<Window<T>>
export function window<T>(source: BatchSource<T>, options: WindowOptions<T>): AsyncGenerator<Window<T>, void, undefined>
export function window<T>(source: Observable<T> | BatchSource<T>, options: WindowOptions<T>): Observable<Window<T>> | AsyncGenerator<Window<T>, void, undefined> {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', '{ sizeMs, slideMs } or { count, slide }', options)
  if (options.onCancel !== undefined && typeof options.onCancel !== 'function') throw new ConfigError('onCancel', 'a function (pending) => void', options.onCancel)
  const timed = 'sizeMs' in options
  if (timed && 'count' in options) throw new ConfigError('count', 'left out when `sizeMs` is given (a window is sized by time or by count)', (options as CountWindowOptions).count)
  const assigner = timed ? timeAssigner(options as TimeWindowOptions) : countAssigner(options as CountWindowOptions)
  const scheduler = options.scheduler ?? unrefScheduler
  const makeStage = (emit: (w: Window<T>) => void): StreamStage<T, Window<T>> => {
    const open = new WindowSet<T>(assigner, scheduler, emit)
    const handOver = (pending: Window<T>[]) => {
      if (pending.length === 0 || !options.onCancel) return
      try {
        options.onCancel(pending)
      } catch (error) {
        options.logger?.error('loadbatch: window onCancel threw', error)
      }
    }
    return {
      add: (item) => open.add(item),
      complete: async () => open.closeAll(),
      cancel: async (unconsumed) => handOver([...unconsumed, ...open.takeAll()]),
      late(item) {
        open.add(item) // into the windows it belongs to (all closed ones were already handed over)
        handOver(open.takeAll())
      },
    }
  }
  if (isObservable(source)) return stageOnObservable(source, makeStage)
  checkSource('source', source)
  return stageOnIterable(source, makeStage, options.signal)
}

/** Which windows an item belongs to, on one axis (time or position). */
interface Assigner {
  readonly timed: boolean
  readonly size: number
  readonly slide: number
}

function timeAssigner(options: TimeWindowOptions): Assigner {
  const size = checkFinite('sizeMs', options.sizeMs, 'a number > 0', (v) => v > 0)
  const slide = checkNumber('slideMs', options.slideMs, size, { min: 0, above: true })
  return { timed: true, size, slide }
}

function countAssigner(options: CountWindowOptions): Assigner {
  if (!('count' in options)) throw new ConfigError('sizeMs', 'a number > 0 (time windows), or give `count` (count windows)', undefined)
  const size = checkFinite('count', options.count, 'an integer >= 1', (v) => Number.isInteger(v) && v >= 1)
  const slide = checkNumber('slide', options.slide, size, { min: 1, integer: true })
  return { timed: false, size, slide }
}

/** The open windows of one stream, keyed by their index k (start = origin + k × slide). */
class WindowSet<T> {
  private readonly open = new Map<number, Window<T>>()
  private readonly origin: number
  private position = 0
  private timer: Subscription | undefined

  constructor(
    private readonly assigner: Assigner,
    private readonly scheduler: SchedulerLike,
    private readonly emit: (w: Window<T>) => void,
  ) {
    this.origin = assigner.timed ? scheduler.now() : 0
  }

  add(item: T): void {
    const { size, slide, timed } = this.assigner
    const at = timed ? this.scheduler.now() - this.origin : this.position++
    if (timed) this.closeDue(at) // a timer due at this very moment fires after this item otherwise
    // Windows k with k·slide <= at < k·slide + size.
    const first = Math.max(0, Math.floor((at - size) / slide) + 1)
    const last = Math.floor(at / slide)
    for (let k = first; k <= last; k++) {
      let w = this.open.get(k)
      if (!w) {
        const start = this.origin + k * slide
        w = { start, end: start + size, items: [] }
        this.open.set(k, w)
      }
      w.items.push(item)
    }
    if (timed) this.armTimer()
    else this.closeDue(at + 1)
  }

  /** Emits the open windows whose end is at or before `at` (relative to the origin), in order of start. */
  private closeDue(at: number): void {
    for (const [k, w] of [...this.open].sort(([a], [b]) => a - b)) {
      if (w.end - this.origin > at) continue
      this.open.delete(k)
      this.emit(w)
    }
  }

  private armTimer(): void {
    if (this.timer || this.open.size === 0) return
    const due = Math.min(...[...this.open.values()].map((w) => w.end))
    this.timer = scheduleAfter(this.scheduler, Math.max(0, due - this.scheduler.now()), () => {
      this.timer = undefined
      this.closeDue(this.scheduler.now() - this.origin)
      this.armTimer()
    })
  }

  /** Emits every open window now (the source ended), in order of start. */
  closeAll(): void {
    this.timer?.unsubscribe()
    this.timer = undefined
    for (const w of this.takeAll()) this.emit(w)
  }

  /** Removes and returns the open windows, in order of start; emits nothing. */
  takeAll(): Window<T>[] {
    this.timer?.unsubscribe()
    this.timer = undefined
    const windows = [...this.open].sort(([a], [b]) => a - b).map(([, w]) => w)
    this.open.clear()
    return windows
  }
}
