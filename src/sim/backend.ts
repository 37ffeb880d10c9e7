/**
 * A simulated backend (a database or bulk API) that a flush function calls: per-call overhead,
 * per-item cost, a capacity, queueing, lock waits and overload errors (see `costModel.ts`).
 *
 * It never reads a clock: every method takes the time, in ms since the start of the run. So
 * the same backend runs in virtual time (pass `scheduler.now()` and wait `latencyMs` on the
 * scheduler: an hour of load in well under a second) and in real time (pass
 * `performance.now() - start` and sleep `latencyMs`). A call stays in flight, loading the
 * backend, from its start until `start + latencyMs`, even if the caller gave up on it (as a
 * real server keeps working on an abandoned query); nothing has to report its end.
 */

import type { LoadFeedback } from '../feedback.ts'
import { resolveBackendOptions, type BackendOptions, type ResolvedBackendOptions } from './backendOptions.ts'
import {
  callLatencyMs,
  errorRateAt,
  lockWaitsAt,
  optimalBatchSize,
  slowdownAt,
  utilisationOf,
  type OptimalSize,
  type OptimalSizeQuery,
} from './costModel.ts'
import { createRandom } from './random.ts'

/** The outcome of one {@link SimulatedBackend.call}. */
export interface BackendCallResult {
  /** How long the call takes, in ms (> 0 unless overhead and per-item cost are tiny). Wait this long. */
  readonly latencyMs: number
  /** When the call ends: the call's time + `latencyMs`. */
  readonly endMs: number
  /** True when every item succeeded. */
  readonly ok: boolean
  /**
   * Set only when items failed one by one (`failureMode: 'items'`): the indexes, within the
   * batch, of the items that failed, ascending (possibly all). `ok: false` without it
   * (`failureMode: 'batch'`) means the whole call failed.
   */
  readonly failedIndexes?: readonly number[]
  /** Utilisation the call met, counting its own items (above 1: overrun). */
  readonly utilisation: number
  /** What the backend reports after this call, as a flush function would return it. */
  readonly feedback: LoadFeedback
}

/** The load on the backend at one moment. */
export interface BackendLoad {
  /** The pattern's background load, 0..1. */
  readonly background: number
  /** Items of calls in flight. */
  readonly itemsInFlight: number
  /** Calls in flight. */
  readonly callsInFlight: number
  /** `background + itemsInFlight / capacity` (above 1: overrun). */
  readonly utilisation: number
}

/** Totals since the backend was created. */
export interface BackendStats {
  /** Calls made. */
  readonly calls: number
  /** Items sent, failed ones included. */
  readonly items: number
  /** Items that failed (a failed call counts all its items). */
  readonly failedItems: number
  /** Calls with at least one failed item. */
  readonly failedCalls: number
}

/** A simulated backend; create it with {@link createSimulatedBackend}. */
export interface SimulatedBackend {
  /** The options in force, defaults filled in. */
  readonly options: ResolvedBackendOptions
  /**
   * Starts a call of `batchSize` items at `nowMs` and returns its whole outcome at once: its
   * latency, which items fail, and the feedback. Draws from the seeded randomness, so the same
   * sequence of calls gives the same outcomes. `batchSize` 0 is a ping (overhead only).
   * Throws `RangeError` for a `batchSize` that is not an integer >= 0 or a time that is not
   * finite. A time earlier than one already seen counts as that later time (the backend's
   * clock never runs backwards).
   */
  call(batchSize: number, nowMs: number): BackendCallResult
  /**
   * What a monitor polling the backend at `nowMs` would see: `cpu` (utilisation, capped at
   * 1), `errorRate` (the current chance an item fails), `queueDepth` (the backend's work,
   * background included, waiting rather than being served), `queueCapacity` (the option,
   * default `capacity`), `locks`, and `latencyMs` of the
   * latest call (absent before the first). Draws no randomness, so polling never changes a
   * run. Throws `RangeError` for a non-finite time.
   */
  feedbackAt(nowMs: number): LoadFeedback
  /** The load at `nowMs` (background, work in flight, utilisation); like `feedbackAt`, pure of randomness. */
  loadAt(nowMs: number): BackendLoad
  /**
   * The batch size a perfect controller would hold at `nowMs` for the background load then,
   * with `query.concurrency` calls in flight (default 1): see `optimalBatchSize`.
   */
  optimalBatchSizeAt(nowMs: number, query?: Omit<OptimalSizeQuery, 'background'>): OptimalSize
  /** Totals since creation. */
  stats(): BackendStats
}

interface InFlightCall {
  readonly endMs: number
  readonly items: number
}

/**
 * Creates a {@link SimulatedBackend}. Options are checked here: a bad one throws a
 * `ConfigError` naming it (see {@link BackendOptions} for every field and default).
 *
 * @example
 * // In a flush function driven by an RxJS scheduler (virtual or real time):
 * const backend = createSimulatedBackend({ pattern: spikes({ seed: 7 }), seed: 7 })
 * const flush = async (batch: Row[]) => {
 *   const result = backend.call(batch.length, scheduler.now())
 *   await firstValueFrom(timer(result.latencyMs, scheduler))
 *   if (!result.ok) throw new Error('backend overloaded')
 *   return result.feedback
 * }
 */
export function createSimulatedBackend(options: BackendOptions = {}): SimulatedBackend {
  const model = resolveBackendOptions(options)
  const random = createRandom(model.seed)
  let inFlight: InFlightCall[] = []
  let itemsInFlight = 0
  let clockMs = 0
  let lastLatencyMs: number | undefined
  let calls = 0
  let items = 0
  let failedItems = 0
  let failedCalls = 0

  /** Moves the backend's clock to `nowMs` (never back) and retires the calls that ended. */
  const advanceTo = (nowMs: number): number => {
    if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) throw new RangeError(`Expected the time to be a finite number of ms, got \`${String(nowMs)}\``)
    if (nowMs > clockMs) clockMs = nowMs
    if (inFlight.some((c) => c.endMs <= clockMs)) {
      inFlight = inFlight.filter((c) => c.endMs > clockMs)
      itemsInFlight = inFlight.reduce((sum, c) => sum + c.items, 0)
    }
    return clockMs
  }

  const loadNow = (): BackendLoad => {
    const background = model.pattern(clockMs)
    return {
      background: Number.isFinite(background) ? Math.min(1, Math.max(0, background)) : 0,
      itemsInFlight,
      callsInFlight: inFlight.length,
      utilisation: utilisationOf(background, itemsInFlight, model),
    }
  }

  /**
   * Feedback at utilisation `u`; `errorRate` and `latencyMs` as given. Reported as a real
   * database reports itself, whole: `cpu` is the utilisation (capped at 1); `queueDepth` is
   * the waiting share `1 - 1 / slowdown(u)` of all the work in the backend, `u × capacity`
   * items (the background's other clients included, not only this batcher's calls), out of
   * `queueCapacity`; `locks` are the lock waits at `u`.
   *
   * With the defaults, the default `scoreLoad` of this feedback (the score `loadScore()`
   * acts on, low 0.3, high 0.7) is, whatever share of `u` is background:
   *
   * | utilisation | cpu  | errorRate | queueDepth | locks | score |
   * |-------------|------|-----------|------------|-------|-------|
   * | 0.3         | 0.3  | 0.001     | 180        | 0     | 0.14  |
   * | 0.5         | 0.5  | 0.001     | 500        | 0     | 0.25  |
   * | 0.8         | 0.8  | 0.001     | 1280       | 0     | 0.45  |
   * | 1.0         | 1    | 0.301     | 1978       | 50    | 0.79  |
   * | 1.2         | 1    | 0.901     | 2398       | 100   | 0.97  |
   *
   * So a backend at half load or less scores under `low` (grow), an overrun one over `high`
   * (shrink), and the dead band lies in between: the score passes 0.3 near utilisation 0.58
   * and 0.7 between 0.95 (0.68) and 0.97 (0.72).
   */
  const feedbackFor = (u: number, errorRate: number, latencyMs: number | undefined): LoadFeedback => {
    const waitingShare = 1 - 1 / slowdownAt(u, model)
    const feedback: LoadFeedback = {
      cpu: Math.min(1, u),
      errorRate,
      queueDepth: Math.round(u * model.capacity * waitingShare),
      queueCapacity: model.queueCapacity,
      locks: lockWaitsAt(u, model),
    }
    return latencyMs === undefined ? feedback : { ...feedback, latencyMs }
  }

  const drawFailures = (batchSize: number, errorRate: number): number[] => {
    if (model.failureMode === 'batch') {
      return random.next() < errorRate ? Array.from({ length: batchSize }, (_, i) => i) : []
    }
    const failed: number[] = []
    for (let i = 0; i < batchSize; i++) if (random.next() < errorRate) failed.push(i)
    return failed
  }

  return {
    options: model,

    call(batchSize, nowMs) {
      if (!Number.isInteger(batchSize) || batchSize < 0) throw new RangeError(`Expected \`batchSize\` to be an integer >= 0, got \`${String(batchSize)}\``)
      const startMs = advanceTo(nowMs)
      const background = loadNow().background
      const u = utilisationOf(background, itemsInFlight + batchSize, model)
      // Log-normal noise with mean 1, so jitter spreads latency without biasing it.
      const sigma = model.latencyJitter
      const noise = sigma > 0 ? Math.exp(sigma * random.normal() - (sigma * sigma) / 2) : 1
      const latencyMs = callLatencyMs(batchSize, u, model) * noise
      const errorRate = errorRateAt(u, model)
      const failed = drawFailures(batchSize, errorRate)

      inFlight.push({ endMs: startMs + latencyMs, items: batchSize })
      itemsInFlight += batchSize
      lastLatencyMs = latencyMs
      calls++
      items += batchSize
      failedItems += failed.length
      if (failed.length > 0) failedCalls++

      const ok = failed.length === 0
      const partial = !ok && model.failureMode === 'items'
      return {
        latencyMs,
        endMs: startMs + latencyMs,
        ok,
        ...(partial ? { failedIndexes: failed } : {}),
        utilisation: u,
        feedback: feedbackFor(u, batchSize > 0 ? failed.length / batchSize : 0, latencyMs),
      }
    },

    feedbackAt(nowMs) {
      advanceTo(nowMs)
      const { utilisation } = loadNow()
      return feedbackFor(utilisation, errorRateAt(utilisation, model), lastLatencyMs)
    },

    loadAt(nowMs) {
      advanceTo(nowMs)
      return loadNow()
    },

    optimalBatchSizeAt(nowMs, query = {}) {
      advanceTo(nowMs)
      return optimalBatchSize({ ...query, background: loadNow().background }, model)
    },

    stats() {
      return { calls, items, failedItems, failedCalls }
    },
  }
}
