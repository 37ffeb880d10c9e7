/**
 * The simulation driver: producers offer items to a real `createBatcher` whose flush function
 * calls the simulated backend and waits out its latency on the scheduler. In virtual time an
 * hour of load runs in about a second and repeats exactly for a seed; in real time it is the
 * live demo of `loadbatch simulate`.
 */

import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs'
import { createBatcher, type Batcher } from '../batcher/createBatcher.ts'
import type { Controller } from '../controllers/controller.ts'
import { ConfigError, PartialBatchError } from '../errors.ts'
import type { LoadFeedback } from '../feedback.ts'
import type { Adaptive } from '../batcher/batcherOptions.ts'
import { resolveAdaptive } from '../batcher/batcherOptions.ts'
import { createVirtualTime } from '../virtualTime.ts'
import { createSimulatedBackend, type SimulatedBackend } from './backend.ts'
import type { BackendOptions } from './backendOptions.ts'
import { createLoadPattern, loadPatternNames } from './loadPatterns.ts'
import { createRandom } from './random.ts'
import type { BatcherEmitted, TargetReason } from '../../machines/batcher.types.ts'
import type { SimulationRun, SimulationSample, SimulationSummary } from './runResult.ts'
import { quantileOf } from './runStats.ts'
import { LatencyHistogram } from './latencyHistogram.ts'

/** Where a run stands, for a progress bar. */
export interface SimulationProgress {
  /** Time since the start of the run, in ms. */
  readonly atMs: number
  /** Items settled so far: flushed or dead-lettered. */
  readonly itemsSettled: number
  /** Items the run will offer in all (Infinity when it runs for `durationMs` instead). */
  readonly itemsTotal: number
  /** The run's `durationMs` (Infinity when it runs until `count` items settled). */
  readonly durationMs: number
}

/** Options of {@link runSimulation}; every field is optional. */
export interface SimulationOptions {
  /** Name in tables and legends (default: `fixed N` for a fixed size, else the controller's name). */
  readonly label?: string
  /** Items to offer in all, an integer >= 1 or Infinity with `durationMs` (default 1000). */
  readonly count?: number
  /** Stop offering items after this many ms (default Infinity: offer all `count`). */
  readonly durationMs?: number
  /**
   * Producers, and flushes in flight at once (default 4). As in the Go demo, each worker is a
   * producer that hands items to the batcher and may be the one that writes a full batch, so
   * up to `workers` batches are written at once.
   */
  readonly workers?: number
  /**
   * Items offered per second by all producers together (default Infinity: each producer adds
   * as fast as the batcher accepts, waiting for room when it is full, as the Go demo's workers
   * do; then a run's length shows its throughput).
   */
  readonly ratePerSecond?: number
  /** Batch size: a number is fixed, a range adapts (default `{ initial: 20, min: 5, max: 100 }`). */
  readonly size?: Adaptive
  /** Flushes in flight at once: a number is fixed, a range adapts (default `workers`). */
  readonly concurrency?: Adaptive
  /** Longest an item waits for its batch, in ms (default 2000: the Go demo's `--timeout`). */
  readonly maxWaitMs?: number
  /** A flush call taking longer fails and is retried, in ms (default 30 000). */
  readonly flushTimeoutMs?: number
  /** The controller of an adaptive size or concurrency (default: the batcher's own default for a range). */
  readonly controller?: Controller<any>
  /** Load pattern of the backend, one of `loadPatternNames` (default `spikes`). */
  readonly pattern?: string
  /** Seed of the pattern, the backend's errors and latency jitter, and retry jitter (default 1). */
  readonly seed?: number
  /** Costs and limits of the simulated backend (default: the backend's defaults). */
  readonly backend?: Omit<BackendOptions, 'pattern' | 'seed'>
  /** `virtual` (default): as fast as the CPU allows, exactly repeatable. `real`: wall-clock time. */
  readonly clock?: 'virtual' | 'real'
  /** The real-time scheduler (default RxJS `asyncScheduler`, whose timers keep the process alive while it runs). */
  readonly scheduler?: SchedulerLike
  /** Time between samples of the time series, in ms (default 1000). */
  readonly sampleIntervalMs?: number
  /** A run still going after this many ms is stopped, its leftovers dead-lettered (default 24 h). */
  readonly maxRunMs?: number
  /** Called at each sample, for a progress bar. */
  readonly onProgress?: (progress: SimulationProgress, sample: SimulationSample) => void
}

/** The driver's defaults, as the CLI shows them. */
export const simulationDefaults = {
  count: 1000,
  workers: 4,
  size: { initial: 20, min: 5, max: 100 },
  maxWaitMs: 2000,
  flushTimeoutMs: 30_000,
  pattern: 'spikes',
  seed: 1,
  sampleIntervalMs: 1000,
  maxRunMs: 24 * 3_600_000,
} as const

/** Counters the flush function and the dead-letter handler keep between samples. */
interface Tally {
  flushed: number
  failed: number
  errors: number
  flushes: number
  failedFlushes: number
  latencies: number[]
  intervalLatencies: number[]
  intervalErrors: number
  /** From an item's offer to its batch's success, in ms. */
  itemLatencies: LatencyHistogram
}

/**
 * Runs one batcher against a simulated backend until every offered item has settled (or, with
 * `durationMs`, until the producers stop and the batcher drains) and returns its time series
 * and summary. Deterministic in virtual time: the same options give the same run.
 *
 * @throws ConfigError for a bad option (an unknown pattern, a count < 1, …), before anything runs.
 * @example
 * const run = await runSimulation({ pattern: 'sinewave', controller: loadScore(), count: 50_000 })
 * console.log(run.summary.itemsPerSecond)
 */
export async function runSimulation(options: SimulationOptions = {}): Promise<SimulationRun> {
  const settings = resolveSimulation(options)
  const virtual = settings.clock === 'virtual' ? createVirtualTime() : undefined
  const scheduler: SchedulerLike = virtual?.scheduler ?? options.scheduler ?? asyncScheduler
  const startMs = scheduler.now()
  const now = () => scheduler.now() - startMs
  const backend = createSimulatedBackend({
    ...settings.backend,
    pattern: createLoadPattern(settings.pattern, { seed: settings.seed }),
    seed: settings.seed,
  })
  const tally: Tally = { flushed: 0, failed: 0, errors: 0, flushes: 0, failedFlushes: 0, latencies: [], intervalLatencies: [], intervalErrors: 0, itemLatencies: new LatencyHistogram() }
  const jitter = createRandom(settings.seed ^ 0x5eed)
  const batcher = createBatcher<number>({
    flush: (batch) => callBackend(backend, batch, now, scheduler, tally),
    size: options.size ?? simulationDefaults.size,
    ...(settings.controller ? { controller: settings.controller } : {}),
    maxWaitMs: settings.maxWaitMs,
    flushTimeoutMs: settings.flushTimeoutMs,
    concurrency: settings.concurrency,
    scheduler,
    random: () => jitter.next(),
    onDeadLetter: (items) => {
      tally.failed += items.length
    },
  })

  const samples: SimulationSample[] = []
  // The controller's latest reason in the interval: the reports show it on each decision.
  let lastReason: TargetReason | undefined
  batcher.actor.on('target.changed', (event) => {
    lastReason = (event as Extract<BatcherEmitted, { type: 'target.changed' }>).reason ?? lastReason
  })
  let lastSampleMs = 0
  let lastFlushed = 0
  const takeSample = (): SimulationSample => {
    const atMs = now()
    const metrics = batcher.metrics()
    const elapsedMs = Math.max(atMs - lastSampleMs, 1e-9)
    const sample: SimulationSample = {
      atMs,
      batchSize: metrics.batchSize,
      loadScore: metrics.loadScore,
      itemsPerSecond: ((metrics.itemsFlushed - lastFlushed) * 1000) / elapsedMs,
      latencyP50Ms: quantileOf(tally.intervalLatencies, 0.5),
      latencyP99Ms: quantileOf(tally.intervalLatencies, 0.99),
      errors: tally.intervalErrors,
      backgroundLoad: backend.loadAt(atMs).background,
      bestBatchSize: backend.optimalBatchSizeAt(atMs, { concurrency: settings.workers, minSize: settings.size.min, maxSize: settings.size.max }).batchSize,
      ...(lastReason ? { reason: lastReason } : {}),
    }
    lastReason = undefined
    lastSampleMs = atMs
    lastFlushed = metrics.itemsFlushed
    tally.intervalLatencies = []
    tally.intervalErrors = 0
    samples.push(sample)
    options.onProgress?.(
      { atMs, itemsSettled: metrics.itemsFlushed + metrics.itemsFailed, itemsTotal: settings.count, durationMs: settings.durationMs },
      sample,
    )
    return sample
  }
  // A fresh top-level timer per sample: a periodic action on a VirtualTimeScheduler chains
  // every repetition to the last, and unsubscribing an hour of them overflows the stack.
  let sampler: Subscription
  const scheduleSample = (): void => {
    sampler = scheduler.schedule(() => {
      takeSample()
      scheduleSample()
    }, settings.sampleIntervalMs)
  }
  scheduleSample()

  let offered = 0
  const offering = () => offered < settings.count && now() < settings.durationMs
  const producers = Array.from({ length: settings.workers }, () =>
    produce(batcher, settings, scheduler, now, offering, () => offered++),
  )
  let endMs: number | undefined
  const finished = Promise.all(producers)
    .then(() => batcher.stop())
    .then(() => {
      // The last sample closes the series at the moment the last item settled.
      sampler.unsubscribe()
      if (samples.at(-1)?.atMs !== now()) takeSample()
      endMs = now()
    })

  if (virtual) {
    while (endMs === undefined) {
      if (virtual.now() - startMs >= settings.maxRunMs) {
        void batcher.stop({ timeoutMs: 0 })
      }
      await virtual.advanceBy(settings.sampleIntervalMs)
    }
  }
  await finished

  const metrics = batcher.metrics()
  const durationMs = endMs ?? now()
  const summary: SimulationSummary = {
    durationMs,
    itemsOffered: offered,
    itemsFlushed: metrics.itemsFlushed,
    itemsFailed: metrics.itemsFailed,
    itemsPerSecond: durationMs > 0 ? (metrics.itemsFlushed * 1000) / durationMs : 0,
    latencyP50Ms: quantileOf(tally.latencies, 0.5),
    latencyP99Ms: quantileOf(tally.latencies, 0.99),
    errors: tally.errors,
    flushes: metrics.flushCount,
    failedFlushes: metrics.failedFlushes,
    finalBatchSize: metrics.batchSize,
    avgBatchSize: metrics.avgBatchSize,
    itemLatencyP50Ms: tally.itemLatencies.quantile(0.5),
    itemLatencyP99Ms: tally.itemLatencies.quantile(0.99),
    finalConcurrency: metrics.concurrency,
  }
  return {
    label: settings.label,
    controller: settings.controller?.name ?? (settings.adaptive ? 'default' : 'fixed'),
    pattern: settings.pattern,
    seed: settings.seed,
    clock: settings.clock,
    samples,
    summary,
  }
}

/** {@link SimulationOptions} checked, defaults filled in. */
interface SimulationSettings {
  readonly label: string
  readonly count: number
  readonly durationMs: number
  readonly workers: number
  readonly ratePerSecond: number
  readonly size: { readonly initial: number; readonly min: number; readonly max: number }
  readonly concurrency: { readonly initial: number; readonly min: number; readonly max: number }
  readonly maxWaitMs: number
  readonly flushTimeoutMs: number
  readonly controller: Controller<any> | undefined
  readonly adaptive: boolean
  readonly pattern: string
  readonly seed: number
  readonly backend: Omit<BackendOptions, 'pattern' | 'seed'>
  readonly clock: 'virtual' | 'real'
  readonly sampleIntervalMs: number
  readonly maxRunMs: number
}

function resolveSimulation(options: SimulationOptions): SimulationSettings {
  const count = options.count ?? simulationDefaults.count
  const durationMs = options.durationMs ?? Infinity
  if (!(count === Infinity || (Number.isInteger(count) && count >= 1))) throw new ConfigError('count', 'an integer >= 1, or Infinity with durationMs', count)
  if (!(durationMs > 0)) throw new ConfigError('durationMs', 'a number > 0 (ms)', durationMs)
  if (count === Infinity && durationMs === Infinity) throw new ConfigError('durationMs', 'a finite number of ms when count is Infinity', durationMs)
  const workers = options.workers ?? simulationDefaults.workers
  if (!Number.isInteger(workers) || workers < 1) throw new ConfigError('workers', 'an integer >= 1', workers)
  const ratePerSecond = options.ratePerSecond ?? Infinity
  if (!(ratePerSecond > 0)) throw new ConfigError('ratePerSecond', 'a number > 0, or Infinity for as fast as the batcher accepts', ratePerSecond)
  const size = resolveAdaptive('size', options.size ?? simulationDefaults.size)
  const pattern = options.pattern ?? simulationDefaults.pattern
  if (!(loadPatternNames as readonly string[]).includes(pattern)) throw new ConfigError('pattern', `one of ${loadPatternNames.join(', ')}`, pattern)
  const clock = options.clock ?? 'virtual'
  if (clock !== 'virtual' && clock !== 'real') throw new ConfigError('clock', "one of 'virtual', 'real'", clock)
  const sampleIntervalMs = options.sampleIntervalMs ?? simulationDefaults.sampleIntervalMs
  if (!(sampleIntervalMs >= 1)) throw new ConfigError('sampleIntervalMs', 'a number >= 1 (ms)', sampleIntervalMs)
  const maxRunMs = options.maxRunMs ?? simulationDefaults.maxRunMs
  if (!(maxRunMs > 0)) throw new ConfigError('maxRunMs', 'a number > 0 (ms)', maxRunMs)
  const controller = options.controller
  const concurrency = resolveAdaptive('concurrency', options.concurrency ?? workers)
  const adaptive = size.min !== size.max || concurrency.min !== concurrency.max
  return {
    label: options.label ?? (adaptive ? (controller?.name ?? 'default') : `fixed ${size.initial}`),
    adaptive,
    count,
    durationMs,
    workers,
    ratePerSecond,
    size,
    concurrency,
    maxWaitMs: options.maxWaitMs ?? simulationDefaults.maxWaitMs,
    flushTimeoutMs: options.flushTimeoutMs ?? simulationDefaults.flushTimeoutMs,
    controller,
    pattern,
    seed: options.seed ?? simulationDefaults.seed,
    backend: options.backend ?? {},
    clock,
    sampleIntervalMs,
    maxRunMs,
  }
}

/**
 * One flush call: the backend decides the outcome at once; the promise settles after its
 * latency on `scheduler`, as a real call would. A partial failure names the failed items so
 * the batcher retries only those; a whole failure throws.
 */
function callBackend(backend: SimulatedBackend, batch: readonly number[], now: () => number, scheduler: SchedulerLike, tally: Tally): Promise<LoadFeedback> {
  const size = batch.length
  const result = backend.call(size, now())
  return new Promise<LoadFeedback>((resolve, reject) => {
    scheduler.schedule(() => {
      const failed = result.ok ? 0 : (result.failedIndexes?.length ?? size)
      const doneAt = now()
      if (result.ok || result.failedIndexes) {
        const failedSet = new Set(result.failedIndexes)
        batch.forEach((offeredAt, index) => {
          if (!failedSet.has(index)) tally.itemLatencies.record(doneAt - offeredAt)
        })
      }
      tally.flushes++
      tally.latencies.push(result.latencyMs)
      tally.intervalLatencies.push(result.latencyMs)
      tally.errors += failed
      tally.intervalErrors += failed
      if (result.ok) resolve(result.feedback)
      else if (result.failedIndexes) reject(new PartialBatchError(result.failedIndexes.map((index) => ({ index, cause: 'backend overloaded' }))))
      else reject(new Error(`the backend failed the whole batch of ${size}`))
    }, result.latencyMs)
  })
}

/** How often a rate-limited producer wakes to offer its share, in ms: coarse enough to stay cheap in virtual time. */
const PRODUCER_TICK_MS = 50

/**
 * One producer: offers items (each is the time it was offered) while `offering()` holds,
 * waiting for room when the batcher is full. Unlimited rate: back to back. Limited: its share
 * of the rate every {@link PRODUCER_TICK_MS}.
 */
async function produce(
  batcher: Batcher<number>,
  settings: SimulationSettings,
  scheduler: SchedulerLike,
  now: () => number,
  offering: () => boolean,
  countOffered: () => void,
): Promise<void> {
  if (settings.ratePerSecond === Infinity) {
    while (offering()) {
      countOffered()
      await batcher.add(now())
    }
    return
  }
  const perTick = (settings.ratePerSecond * PRODUCER_TICK_MS) / 1000 / settings.workers
  let owed = 0
  while (offering()) {
    owed += perTick
    while (owed >= 1 && offering()) {
      owed--
      countOffered()
      await batcher.add(now())
    }
    await new Promise<void>((resolve) => scheduler.schedule(() => resolve(), PRODUCER_TICK_MS))
  }
}
