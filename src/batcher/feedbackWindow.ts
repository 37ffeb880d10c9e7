import type { Subscription } from 'rxjs'
import { clampTo, type ControlTarget, type DecisionReason, type FeedbackSample } from '../controllers/controller.ts'
import { sanitizeFeedback, scoreLoad, type LoadFeedback, type SanitizedFeedback } from '../feedback.ts'
import { scheduleAfter } from '../scheduler.ts'
import type { ResolvedOptions } from './batcherOptions.ts'

/** How many recent feedback samples the controller is shown. */
const SAMPLE_WINDOW = 10

/** What a flush that returned nothing reported: no fields, none rejected. */
const NOTHING_REPORTED: SanitizedFeedback = { feedback: {}, rejected: 0 }

/** What a flush attempt adds to its sample. */
export type AttemptFacts = Pick<FeedbackSample, 'at' | 'durationMs' | 'inFlight' | 'trigger' | 'errorKind' | 'attempt' | 'backlog'>

/**
 * The controller's side of a batcher: the window of recent feedback samples, the controller's
 * state, the target it decided and the size ceiling `tooLarge` errors taught. It owns the
 * adjusting cadence: `due` is called when the controller's interval came round with fresh
 * feedback (the runtime then sends `TICK`), or when an attempt has run longer than the
 * controller's `overdueMs` (a stall it wants to act on without waiting for the attempt's end).
 */
export class FeedbackWindow<T> {
  private readonly samples: FeedbackSample[] = []
  private sampleSeq = 0
  private controllerState: unknown
  private fresh = false
  private timer: Subscription | undefined
  /** The stall watch: fires when the oldest running attempt passes the controller's `overdueMs`. */
  private watchTimer: Subscription | undefined
  /** When the armed stall watch fires (scheduler ms). */
  private watchAt = Infinity
  /** The attempt start and age the stall watch last fired for: it fires again for it only at twice that age. */
  private overdue: { start: number; ageMs: number } | undefined
  private stopped = false
  /** Largest batch a sink accepted to cut: lowered by `tooLarge` errors. */
  private sizeCeiling = Infinity
  /** The target in force. */
  target: ControlTarget
  /** Feedback fields refused as out of range, in all. */
  rejected = 0

  constructor(
    private readonly options: ResolvedOptions<T>,
    private readonly due: () => void,
    private readonly oldestAttemptStart: () => number | undefined = () => undefined,
  ) {
    this.target = { batchSize: options.size.initial, concurrency: options.concurrency.initial }
    this.controllerState = this.initialControllerState()
  }

  private initialControllerState(): unknown {
    try {
      return this.options.controller.initialState()
    } catch (error) {
      this.options.logger.error(`loadbatch: controller ${this.options.controller.name} initialState() threw; starting from undefined`, error)
      return undefined
    }
  }

  /**
   * Records a feedback sample (from a flush or a monitor); arms the controller's cadence, also
   * while draining (a producer that fills the buffer and calls `stop()` still gets adapted to).
   */
  record(raw: unknown, source: 'flush' | 'monitor', failed = false, batchSize = 0, latencyMs?: number, attempt?: AttemptFacts): void {
    // A flush that returned nothing has nothing to check (the common case: no copy, no scan).
    const { feedback, rejected } = raw === undefined && source === 'flush' ? NOTHING_REPORTED : sanitizeFeedback(raw)
    this.rejected += rejected
    const withLatency: LoadFeedback =
      latencyMs === undefined || feedback.latencyMs !== undefined ? feedback : feedback === NOTHING_REPORTED.feedback ? { latencyMs } : { ...feedback, latencyMs }
    const score = this.scoreOf(withLatency)
    const at = attempt?.at ?? this.options.scheduler.now()
    const seq = ++this.sampleSeq
    this.samples.push(
      attempt
        ? { at, feedback: withLatency, score, source, failed, batchSize, seq, durationMs: attempt.durationMs, inFlight: attempt.inFlight, trigger: attempt.trigger, attempt: attempt.attempt, backlog: attempt.backlog, errorKind: attempt.errorKind }
        : { at, feedback: withLatency, score, source, failed, batchSize, seq },
    )
    if (this.samples.length > SAMPLE_WINDOW) this.samples.shift()
    this.fresh = true
    if (!this.timer && !this.stopped && this.isAdaptive()) {
      this.timer = scheduleAfter(this.options.scheduler, this.options.controller.intervalMs, () => {
        this.timer = undefined
        if (this.fresh && !this.stopped) this.due()
      })
    }
  }

  /**
   * Arms the stall watch, when the controller has `overdueMs`: an attempt that runs past it
   * calls `due` without waiting for its end. A watch armed no later than needed is left alone
   * (when it fires it looks again at the oldest attempt then), so finishing flushes cost no timer.
   */
  watch(): void {
    if (!this.options.controller.overdueMs || this.stopped || !this.isAdaptive()) return
    const next = this.nextOverdue()
    if (next === undefined || (this.watchTimer && this.watchAt <= next.at)) return
    this.watchTimer?.unsubscribe()
    this.watchAt = next.at
    const { scheduler } = this.options
    this.watchTimer = scheduleAfter(scheduler, Math.max(0, next.at - scheduler.now()), () => {
      this.watchTimer = undefined
      this.watchAt = Infinity
      const due = this.nextOverdue()
      if (this.stopped || due === undefined) return
      if (due.at > scheduler.now()) return this.watch()
      this.overdue = { start: due.start, ageMs: due.ageMs }
      this.due()
    })
  }

  /**
   * The controller's stall limit for an attempt of `items` items that started at `startedAt` (`attemptTimeoutMs`), in ms;
   * undefined when it has none, is not adapting, or gives no finite number > 0.
   */
  attemptLimitMs(items: number, startedAt: number): number | undefined {
    const { controller, logger } = this.options
    if (!controller.attemptTimeoutMs || !this.isAdaptive()) return undefined
    let limitMs: number | undefined
    try {
      limitMs = controller.attemptTimeoutMs(this.controllerState, items, startedAt)
    } catch (error) {
      logger.error(`loadbatch: controller ${controller.name} attemptTimeoutMs() threw; flushTimeoutMs alone applies`, error)
      return undefined
    }
    return typeof limitMs === 'number' && limitMs > 0 && Number.isFinite(limitMs) ? limitMs : undefined
  }

  /** When the oldest running attempt becomes overdue: the controller's limit, doubled at each time it fired for that attempt. */
  private nextOverdue(): { start: number; ageMs: number; at: number } | undefined {
    const start = this.oldestAttemptStart()
    if (start === undefined) return undefined
    const { controller, logger } = this.options
    let limitMs: number | undefined
    try {
      limitMs = controller.overdueMs!(this.controllerState)
    } catch (error) {
      logger.error(`loadbatch: controller ${controller.name} overdueMs() threw; no stall watch`, error)
      return undefined
    }
    if (typeof limitMs !== 'number' || !(limitMs > 0) || !Number.isFinite(limitMs)) return undefined
    const ageMs = this.overdue?.start === start ? Math.max(limitMs, 2 * this.overdue.ageMs) : limitMs
    return { start, ageMs, at: start + ageMs }
  }

  /** The controller's score of one sample; the default `scoreLoad` where the controller's own throws or leaves 0..1. */
  private scoreOf(feedback: LoadFeedback): number {
    const { controller, logger } = this.options
    if (!controller.score) return scoreLoad(feedback)
    try {
      const score = controller.score(feedback)
      if (score >= 0 && score <= 1) return score
      logger.error(`loadbatch: controller ${controller.name} score() gave ${String(score)}, not a number in 0..1; using scoreLoad()`)
    } catch (error) {
      logger.error(`loadbatch: controller ${controller.name} score() threw; using scoreLoad()`, error)
    }
    return scoreLoad(feedback)
  }

  private isAdaptive(): boolean {
    const { size, concurrency } = this.options
    return size.min < size.max || concurrency.min < concurrency.max
  }

  /**
   * Runs the controller on the latest samples and puts its target in force (clamped to bounds).
   * Returns the controller's reason (or `null` without one) when the target changed, else undefined.
   */
  adjust(): DecisionReason | null | undefined {
    if (this.samples.length === 0) return undefined
    const { controller, concurrency, scheduler, logger } = this.options
    const size = this.sizeBounds()
    this.fresh = false
    const now = scheduler.now()
    const oldest = this.oldestAttemptStart()
    try {
      const decision = controller.decide(
        { target: this.target, samples: this.samples.slice(), bounds: { size, concurrency }, now, ...(oldest === undefined ? {} : { oldestAttemptMs: now - oldest }) },
        this.controllerState,
      )
      this.controllerState = decision.state
      this.watch()
      const next = { batchSize: clampTo(decision.batchSize, size), concurrency: clampTo(decision.concurrency, concurrency) }
      if (next.batchSize === this.target.batchSize && next.concurrency === this.target.concurrency) return undefined
      const reason = decision.reason ?? null
      logger.debug(`loadbatch: ${controller.name}: batch ${this.target.batchSize} → ${next.batchSize}, concurrency ${this.target.concurrency} → ${next.concurrency}: ${reason?.text ?? 'the controller gave no reason'}`, reason)
      this.target = next
      return reason
    } catch (error) {
      logger.error(`loadbatch: controller ${controller.name} threw; keeping the current target`, error)
      return undefined
    }
  }

  /** The size bounds in force: the options' range under the ceiling `tooLarge` errors taught. */
  private sizeBounds(): ResolvedOptions<T>['size'] {
    const { size } = this.options
    if (size.max <= this.sizeCeiling) return size
    return { initial: size.initial, min: Math.min(size.min, this.sizeCeiling), max: this.sizeCeiling }
  }

  /** A sink refused `items` as too large: no batch is cut larger from now on. True when the target shrank. */
  lowerCeiling(items: number): boolean {
    this.sizeCeiling = Math.max(1, Math.min(this.sizeCeiling, items))
    if (this.target.batchSize <= this.sizeCeiling) return false
    this.target = { ...this.target, batchSize: this.sizeCeiling }
    return true
  }

  /** The mean score of the latest samples, 0 before any. */
  loadScore(): number {
    if (this.samples.length === 0) return 0
    let sum = 0
    for (const sample of this.samples) sum += sample.score
    return sum / this.samples.length
  }

  /** Stops the cadence: no `due` from now on. */
  stop(): void {
    this.stopped = true
    this.timer?.unsubscribe()
    this.timer = undefined
    this.watchTimer?.unsubscribe()
    this.watchTimer = undefined
    this.watchAt = Infinity
  }
}
