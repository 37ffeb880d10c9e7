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

/** How one call went, once it ended: see {@link BackendCall.result}. */
export interface BackendCallResult {
  /** How long the call took, in ms, from its start to its end. */
  readonly latencyMs: number
  /** When the call ended: its start + `latencyMs`. */
  readonly endMs: number
  /** True when every item succeeded. */
  readonly ok: boolean
  /**
   * Set only when items failed one by one (`failureMode: 'items'`): the indexes, within the
   * batch, of the items that failed, ascending (possibly all). `ok: false` without it
   * (`failureMode: 'batch'`) means the whole call failed.
   */
  readonly failedIndexes?: readonly number[]
  /** Mean utilisation over the call's life, counting its own items (above 1: overrun). */
  readonly utilisation: number
  /** What the backend reports after this call, as a flush function would return it. */
  readonly feedback: LoadFeedback
}

/**
 * A call the backend is serving, from {@link SimulatedBackend.call}. Which items fail is
 * decided when it starts; how long it takes is found as it runs, since its pace follows the
 * load on the backend until it ends.
 */
export interface BackendCall {
  /** Items it carries. */
  readonly batchSize: number
  /** When it started, in ms (the backend's clock then). */
  readonly startMs: number
  /** True when every item will succeed. */
  readonly ok: boolean
  /** The failed items' indexes, as in {@link BackendCallResult.failedIndexes}. */
  readonly failedIndexes?: readonly number[]
  /** Utilisation when it started, counting its own items. */
  readonly utilisation: number
  /** Its outcome once the backend's clock passed its end; undefined while it runs. */
  result(): BackendCallResult | undefined
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

/** A call in flight: its work left, in ms of an idle backend, and what it needs to report its end. */
interface RunningCall {
  readonly call: BackendCall
  readonly items: number
  remainingMs: number
  /** ∫ utilisation dt so far: its mean over the call's life goes into the feedback. */
  utilisationMs: number
  ended: BackendCallResult | undefined
  /** Cancelled by its caller: it ends at once, every item failed. */
  cancelled?: boolean
}

/**
 * The backend's load is taken as constant within cells of this many ms (the background is
 * read at each cell's start): so a run does not depend on how often the clock is moved, and
 * a pattern's changes reach calls already in flight.
 */
const CELL_MS = 25
/** Work left under this, in ms, counts as done (rounding of the float steps). */
const DONE_EPSILON = 1e-9

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
  let running: RunningCall[] = []
  let itemsInFlight = 0
  let clockMs = 0
  let lastLatencyMs: number | undefined
  let calls = 0
  let items = 0
  let failedItems = 0
  let failedCalls = 0

  const backgroundAt = (atMs: number): number => {
    const level = model.pattern(atMs)
    return Number.isFinite(level) ? Math.min(1, Math.max(0, level)) : 0
  }
  /** The pace of every call in flight in the cell holding `atMs`: 1 / slowdown. */
  const paceAt = (atMs: number): { pace: number; utilisation: number } => {
    const utilisation = utilisationOf(backgroundAt(Math.floor(atMs / CELL_MS) * CELL_MS), itemsInFlight, model)
    return { pace: 1 / slowdownAt(utilisation, model), utilisation }
  }
  const checkTime = (nowMs: number): void => {
    if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) throw new RangeError(`Expected the time to be a finite number of ms, got \`${String(nowMs)}\``)
  }

  /** Ends the calls whose work is done, at the clock's time. */
  const retire = (): void => {
    if (!running.some((r) => r.remainingMs <= DONE_EPSILON)) return
    for (const r of running) {
      if (r.remainingMs > DONE_EPSILON) continue
      const latencyMs = clockMs - r.call.startMs
      const utilisation = latencyMs > 0 ? r.utilisationMs / latencyMs : r.call.utilisation
      const failed = r.cancelled ? r.items : (r.call.failedIndexes?.length ?? (r.call.ok ? 0 : r.items))
      r.ended = {
        latencyMs,
        endMs: clockMs,
        ok: r.call.ok && !r.cancelled,
        ...(r.call.failedIndexes && !r.cancelled ? { failedIndexes: r.call.failedIndexes } : {}),
        utilisation,
        feedback: feedbackFor(utilisation, r.items > 0 ? failed / r.items : 0, latencyMs),
      }
      lastLatencyMs = latencyMs
    }
    running = running.filter((r) => r.ended === undefined)
    itemsInFlight = running.reduce((sum, r) => sum + r.items, 0)
  }

  /** Serves the calls in flight up to `nowMs`, cell by cell and end by end. */
  const advanceTo = (nowMs: number): void => {
    checkTime(nowMs)
    retire()
    while (clockMs < nowMs && running.length > 0) {
      const { pace, utilisation } = paceAt(clockMs)
      const cellEnd = (Math.floor(clockMs / CELL_MS) + 1) * CELL_MS
      const firstEnd = clockMs + Math.min(...running.map((r) => r.remainingMs)) / pace
      const until = Math.min(nowMs, cellEnd, firstEnd)
      const elapsed = until - clockMs
      for (const r of running) {
        r.remainingMs = until === firstEnd && r.remainingMs / pace <= elapsed ? 0 : r.remainingMs - elapsed * pace
        r.utilisationMs += utilisation * elapsed
      }
      clockMs = until
      retire()
    }
    if (nowMs > clockMs) clockMs = nowMs
  }

  /** When the first call in flight ends, if no other starts first. */
  const nextEndMs = (): number => {
    if (running.length === 0) return Infinity
    // Look ahead cell by cell at today's load: the first call to end, if no other starts.
    let left = Math.min(...running.map((r) => r.remainingMs))
    let at = clockMs
    for (;;) {
      const { pace } = paceAt(at)
      const cellEnd = (Math.floor(at / CELL_MS) + 1) * CELL_MS
      if (at + left / pace <= cellEnd) return at + left / pace
      left -= (cellEnd - at) * pace
      at = cellEnd
    }
  }

  const loadNow = (): BackendLoad => {
    const background = backgroundAt(clockMs)
    return {
      background,
      itemsInFlight,
      callsInFlight: running.length,
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
      advanceTo(nowMs)
      const u = utilisationOf(backgroundAt(clockMs), itemsInFlight + batchSize, model)
      // Log-normal noise with mean 1, so jitter spreads the work without biasing it.
      const sigma = model.latencyJitter
      const noise = sigma > 0 ? Math.exp(sigma * random.normal() - (sigma * sigma) / 2) : 1
      const failed = drawFailures(batchSize, errorRateAt(u, model))
      calls++
      items += batchSize
      failedItems += failed.length
      if (failed.length > 0) failedCalls++
      const ok = failed.length === 0
      const entry: RunningCall = {
        call: {
          batchSize,
          startMs: clockMs,
          ok,
          ...(!ok && model.failureMode === 'items' ? { failedIndexes: failed } : {}),
          utilisation: u,
          result: () => entry.ended,
        },
        items: batchSize,
        remainingMs: callLatencyMs(batchSize, 0, model) * noise,
        utilisationMs: 0,
        ended: undefined,
      }
      running.push(entry)
      itemsInFlight += batchSize
      retire()
      return entry.call
    },

    advanceTo,

    cancel(call, nowMs) {
      advanceTo(nowMs)
      const entry = running.find((r) => r.call === call)
      if (!entry) return
      entry.cancelled = true
      entry.remainingMs = 0
      retire()
    },

    nextEndMs,

    finish(call) {
      for (let ended = call.result(); ; ended = call.result()) {
        if (ended) return ended
        const next = nextEndMs()
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
