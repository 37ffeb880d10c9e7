/**
 * The simulation driver: producers offer items to a real `createBatcher` whose flush function
 * calls the simulated backend and waits out its latency on the scheduler. In virtual time an
 * hour of load runs in about a second and repeats exactly for a seed; in real time it is the
 * live demo of `loadbatch simulate`.
 */

import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs'
import { createBatcher, type Batcher } from '../batcher/createBatcher.ts'
import { PartialBatchError } from '../errors.ts'
import type { LoadFeedback } from '../feedback.ts'
import { createVirtualTime } from '../virtualTime.ts'
import { createSimulatedBackend } from './backend.ts'
import { backendOnScheduler, type ScheduledBackendCall } from './backendOnScheduler.ts'
import { createLoadPattern } from './loadPatterns.ts'
import { createRandom } from './random.ts'
import type { BatcherEmitted, TargetReason } from '../../machines/batcher.types.ts'
import type { SimulationRun, SimulationSample, SimulationSummary } from './runResult.ts'
import { quantileOf } from './runStats.ts'
import { LatencyHistogram } from './latencyHistogram.ts'
import { resolveSimulation, simulationDefaults, type SimulationOptions, type SimulationProgress, type SimulationSettings } from './simulationOptions.ts'

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
  const send = backendOnScheduler(backend, scheduler, now)
  const tally: Tally = { flushed: 0, failed: 0, errors: 0, flushes: 0, failedFlushes: 0, latencies: [], intervalLatencies: [], intervalErrors: 0, itemLatencies: new LatencyHistogram() }
  const jitter = createRandom(settings.seed ^ 0x5eed)
  const batcher = createBatcher<number>({
    flush: (batch, info) => callBackend(send, batch, info.signal, now, tally),
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

  // Goodput of the window: what was flushed while the producers offered, drain left out.
  let flushedInWindow: number | undefined
  const windowEnd = Number.isFinite(settings.durationMs)
    ? scheduler.schedule(() => {
        flushedInWindow = batcher.metrics().itemsFlushed
      }, settings.durationMs)
    : undefined

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

  windowEnd?.unsubscribe()
  const metrics = batcher.metrics()
  const durationMs = endMs ?? now()
  const windowMs = Math.min(durationMs, settings.durationMs)
  const summary: SimulationSummary = {
    durationMs,
    itemsOffered: offered,
    itemsFlushed: metrics.itemsFlushed,
    itemsFailed: metrics.itemsFailed,
    itemsPerSecond: durationMs > 0 ? (metrics.itemsFlushed * 1000) / durationMs : 0,
    windowItemsPerSecond: windowMs > 0 ? ((flushedInWindow ?? metrics.itemsFlushed) * 1000) / windowMs : 0,
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

/**
 * One flush call: the backend decides which items fail at once; the promise settles when the
 * call ended (its pace follows the load meanwhile), as a real call would. A partial failure
 * names the failed items so the batcher retries only those; a whole failure throws. A call
 * the batcher gives up on (timed out) is cancelled, as loadbatch's PostgreSQL sink cancels
 * its query: it stops loading the backend.
 */
async function callBackend(send: ScheduledBackendCall, batch: readonly number[], signal: AbortSignal | undefined, now: () => number, tally: Tally): Promise<LoadFeedback> {
  const size = batch.length
  const result = await send(size, signal)
  const failed = result.ok ? 0 : (result.failedIndexes?.length ?? size)
  const doneAt = now()
  if ((result.ok || result.failedIndexes) && !signal?.aborted) {
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
  if (result.ok) return result.feedback
  if (result.failedIndexes) throw new PartialBatchError(result.failedIndexes.map((index) => ({ index, cause: 'backend overloaded' })))
  throw new Error(`the backend failed the whole batch of ${size}`)
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
