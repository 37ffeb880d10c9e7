/**
 * A simulated backend (a database or bulk API) that a flush function calls: per-call overhead,
 * per-item cost, a capacity, queueing, lock waits and overload errors (see `costModel.ts`).
 *
 * It never reads a clock: every method takes the time, in ms since the start of the run. So
 * the same backend runs in virtual time (an hour of load in well under a second) and in real
 * time; `backendOnScheduler` drives it from an RxJS scheduler. Calls are served together at
 * the pace of the moment (`processorSharing.ts`); a call stays in flight, loading the backend,
 * until its work is done, even if the caller gave up on it (as a real server keeps working on
 * an abandoned query), unless the caller cancels it.
 */

import type { LoadFeedback } from '../feedback.ts'
import type { BackendCall, BackendCallResult } from './backendCall.ts'
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
import { ProcessorSharing } from './processorSharing.ts'
import { createRandom } from './random.ts'

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
   * Starts a call of `batchSize` items at `nowMs`: which items fail is drawn now from the
   * seeded randomness (so the same sequence of calls gives the same outcomes); its latency
   * unfolds as the clock moves (see {@link advanceTo}), read it from `result()` once it ended.
   * `batchSize` 0 is a ping (overhead only). Throws `RangeError` for a `batchSize` that is
   * not an integer >= 0 or a time that is not finite. A time earlier than one already seen
   * counts as that later time (the backend's clock never runs backwards).
   */
  call(batchSize: number, nowMs: number): BackendCall
  /**
   * Moves the backend's clock to `nowMs` (never back), serving the calls in flight on the
   * way: each progresses at `1 / slowdown(u)` of its idle pace, `u` the utilisation of the
   * moment, so a call slows when others pile on and speeds up when they end or the
   * background falls. Calls that end by `nowMs` get their `result()`.
   */
  advanceTo(nowMs: number): void
  /**
   * Cancels `call` at `nowMs` if it is still running, as a sink that cancels its query when
   * the batcher gives up on it (`pg_cancel_backend`): its work stops loading the backend, and
   * it ends now, failed. No effect on a call that already ended.
   */
  cancel(call: BackendCall, nowMs: number): void
  /** When the first call in flight will end if no other call starts first (Infinity when none is in flight). */
  nextEndMs(): number
  /** Advances the clock until `call` has ended (no other call starting meanwhile) and returns its outcome: for single callers and tests. */
  finish(call: BackendCall): BackendCallResult
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

/**
 * Creates a {@link SimulatedBackend}. Options are checked here: a bad one throws a
 * `ConfigError` naming it (see {@link BackendOptions} for every field and default).
 *
 * @example
 * // In a flush function driven by an RxJS scheduler (virtual or real time):
 * const backend = createSimulatedBackend({ pattern: spikes({ seed: 7 }), seed: 7 })
 * const send = backendOnScheduler(backend, scheduler, () => scheduler.now())
 * const flush = async (batch: Row[], info: FlushInfo) => {
 *   const result = await send(batch.length, info.signal)
 *   if (!result.ok) throw new Error('backend overloaded')
 *   return result.feedback
 * }
 */
export function createSimulatedBackend(options: BackendOptions = {}): SimulatedBackend {
  const model = resolveBackendOptions(options)
  const random = createRandom(model.seed)
  let lastLatencyMs: number | undefined
  let calls = 0
  let items = 0
  let failedItems = 0
  let failedCalls = 0

  const backgroundAt = (atMs: number): number => {
    const level = model.pattern(atMs)
    return Number.isFinite(level) ? Math.min(1, Math.max(0, level)) : 0
  }
  const results = new WeakMap<BackendCall, BackendCallResult>()
  const server = new ProcessorSharing<BackendCall>(
    (cellStartMs, itemsInFlight) => {
      const utilisation = utilisationOf(backgroundAt(cellStartMs), itemsInFlight, model)
      return { pace: 1 / slowdownAt(utilisation, model), utilisation }
    },
    (call, end) => {
      const latencyMs = end.endMs - call.startMs
      const failed = end.cancelled ? call.batchSize : (call.failedIndexes?.length ?? (call.ok ? 0 : call.batchSize))
      results.set(call, {
        latencyMs,
        endMs: end.endMs,
        ok: call.ok && !end.cancelled,
        ...(call.failedIndexes && !end.cancelled ? { failedIndexes: call.failedIndexes } : {}),
        utilisation: end.meanUtilisation,
        feedback: feedbackFor(end.meanUtilisation, call.batchSize > 0 ? failed / call.batchSize : 0, latencyMs),
      })
      lastLatencyMs = latencyMs
    },
  )
  const advanceTo = (nowMs: number): void => {
    if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) throw new RangeError(`Expected the time to be a finite number of ms, got \`${String(nowMs)}\``)
    server.advanceTo(nowMs)
  }

  const loadNow = (): BackendLoad => {
    const background = backgroundAt(server.clockMs)
    return {
      background,
      itemsInFlight: server.itemsInFlight,
      callsInFlight: server.callsInFlight,
      utilisation: utilisationOf(background, server.itemsInFlight, model),
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
      advanceTo(nowMs)
      const u = utilisationOf(backgroundAt(server.clockMs), server.itemsInFlight + batchSize, model)
      // Log-normal noise with mean 1, so jitter spreads the work without biasing it.
      const sigma = model.latencyJitter
      const noise = sigma > 0 ? Math.exp(sigma * random.normal() - (sigma * sigma) / 2) : 1
      const failed = drawFailures(batchSize, errorRateAt(u, model))
      calls++
      items += batchSize
      failedItems += failed.length
      if (failed.length > 0) failedCalls++
      const ok = failed.length === 0
      const call: BackendCall = {
        batchSize,
        startMs: server.clockMs,
        ok,
        ...(!ok && model.failureMode === 'items' ? { failedIndexes: failed } : {}),
        utilisation: u,
        result: () => results.get(call),
      }
      server.start(call, batchSize, callLatencyMs(batchSize, 0, model) * noise, u)
      return call
    },

    advanceTo,

    cancel(call, nowMs) {
      advanceTo(nowMs)
      server.cancel(call)
    },

    nextEndMs: () => server.nextEndMs(),

    finish(call) {
      for (let ended = call.result(); ; ended = call.result()) {
        if (ended) return ended
        const next = server.nextEndMs()
        if (next === Infinity) throw new RangeError('Expected a call of this backend')
        advanceTo(next)
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
