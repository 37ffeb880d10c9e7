import type { Attributes, BatchObservableCallback, Meter, Observable } from '@opentelemetry/api'
import { ConfigError } from '../errors.ts'
import { isInstrumentTarget, type InstrumentTarget } from '../instrumentation/instrumentTarget.ts'
import { TargetReader, type SeriesLabels } from '../instrumentation/targetReader.ts'

/** Options of {@link otelMetrics}. */
export interface OtelMetricsOptions {
  /** Your OpenTelemetry `Meter` (e.g. `metrics.getMeter('my-service')`). Required. */
  readonly meter: Meter
  /** The `loadbatch.name` attribute of this target's data points (default: the actor's systemId, else `batcher` / `supervisor`). */
  readonly name?: string
}

/** A target instrumented on a meter. */
export interface OtelMetricsHandle {
  /** The `loadbatch.name` attribute of the target's data points. */
  readonly name: string
  /** Stops observing the target (its observable callback is removed). Idempotent. */
  stop(): void
}

/**
 * Reports a batcher's or a supervisor's metrics through your OpenTelemetry `meter`: observable
 * counters and gauges read from `target.metrics()` at each collection, and histograms fed with
 * each flush call completed since the previous collection (count and sum exact; when several
 * completed in between, the latest at its own duration and the others at their mean).
 *
 * Every data point carries `loadbatch.name`; a supervisor's carry `loadbatch.worker` too (one per
 * worker). Names follow OpenTelemetry's conventions (an OTel Prometheus exporter turns them into
 * the names `loadbatch/prometheus` uses):
 * - `loadbatch.items.flushed` (counter, `{item}`, attribute `outcome`: `flushed` | `dead_lettered`)
 * - `loadbatch.items.dropped` (counter, `{item}`, attribute `reason`: `full` | `stopped`)
 * - `loadbatch.flushes` (counter, `{call}`, attribute `outcome`: `ok` | `failed`), `loadbatch.retries` (counter, `{call}`)
 * - `loadbatch.flush.duration` (histogram, `s`): each flush call's duration
 * - `loadbatch.batch.items` (histogram, `{item}`): items per flush call
 * - `loadbatch.batch.size` (gauge, `{item}`): the target batch size in force
 * - `loadbatch.concurrency` (gauge, `{call}`), `loadbatch.buffer.items` (gauge, `{item}`),
 *   `loadbatch.items.in_flight` (gauge, `{item}`), `loadbatch.load_score` (gauge, `1`, 0..1)
 * - supervisors: `loadbatch.workers` (gauge, `{worker}`), `loadbatch.worker.restarts` (counter, `{restart}`)
 *
 * @throws ConfigError when `meter` is not a Meter or `target` is neither a batcher nor a supervisor.
 * @example
 * otelMetrics(batcher, { meter: metrics.getMeter('orders-service'), name: 'orders' })
 */
export function otelMetrics(target: InstrumentTarget, options: OtelMetricsOptions): OtelMetricsHandle {
  if (!isInstrumentTarget(target)) throw new ConfigError('target', 'a batcher or a supervisor (an object with metrics() and actor)', target)
  const meter = options?.meter
  if (typeof meter?.createObservableGauge !== 'function' || typeof meter.addBatchObservableCallback !== 'function') {
    throw new ConfigError('meter', "an OpenTelemetry Meter (metrics.getMeter('your-service'))", meter)
  }
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) throw new ConfigError('name', 'a non-empty string', options.name)

  const counter = (name: string, unit: string, description: string) => meter.createObservableCounter(name, { unit, description })
  const gauge = (name: string, unit: string, description: string) => meter.createObservableGauge(name, { unit, description })
  const flushed = counter('loadbatch.items.flushed', '{item}', 'Items whose batch settled, by outcome (flushed, dead_lettered).')
  const dropped = counter('loadbatch.items.dropped', '{item}', 'Items refused and never accepted, by reason (full, stopped).')
  const flushes = counter('loadbatch.flushes', '{call}', 'Flush calls (every attempt), by outcome (ok, failed).')
  const retries = counter('loadbatch.retries', '{call}', 'Flush calls that were retries.')
  const batchSize = gauge('loadbatch.batch.size', '{item}', 'The target batch size in force.')
  const concurrency = gauge('loadbatch.concurrency', '{call}', 'Flushes allowed in flight at once.')
  const buffered = gauge('loadbatch.buffer.items', '{item}', 'Items waiting in the buffer for a batch.')
  const inFlight = gauge('loadbatch.items.in_flight', '{item}', 'Items in batches being flushed or waiting to retry.')
  const loadScore = gauge('loadbatch.load_score', '1', 'The smoothed load score of the backend, 0..1.')
  const workers = gauge('loadbatch.workers', '{worker}', "Workers in a supervisor's routing set.")
  const restarts = counter('loadbatch.worker.restarts', '{restart}', 'Workers a supervisor restarted after a crash.')
  const flushDuration = meter.createHistogram('loadbatch.flush.duration', { unit: 's', description: 'Duration of flush calls (every attempt), in seconds.' })
  const batchItems = meter.createHistogram('loadbatch.batch.items', { unit: '{item}', description: 'Items per flush call.' })

  const reader = new TargetReader(target, options.name, (labels, { seconds, items }) => {
    flushDuration.record(seconds, attributes(labels))
    batchItems.record(items, attributes(labels))
  })
  reader.read() // the baseline: flushes before now are not recorded
  const observables: Observable[] = [flushed, dropped, flushes, retries, batchSize, concurrency, buffered, inFlight, loadScore, workers, restarts]
  const observe: BatchObservableCallback = (result) => {
    const { series, supervisor } = reader.read()
    for (const { labels, metrics: m, drops } of series) {
      const at = attributes(labels)
      result.observe(flushed, m.itemsFlushed, { ...at, outcome: 'flushed' })
      result.observe(flushed, m.itemsFailed, { ...at, outcome: 'dead_lettered' })
      result.observe(dropped, drops.full, { ...at, reason: 'full' })
      result.observe(dropped, drops.stopped, { ...at, reason: 'stopped' })
      result.observe(flushes, m.flushCount - m.failedFlushes, { ...at, outcome: 'ok' })
      result.observe(flushes, m.failedFlushes, { ...at, outcome: 'failed' })
      result.observe(retries, m.retries, at)
      result.observe(batchSize, m.batchSize, at)
      result.observe(concurrency, m.concurrency, at)
      result.observe(buffered, m.itemsBuffered, at)
      result.observe(inFlight, m.itemsInFlight, at)
      result.observe(loadScore, m.loadScore, at)
    }
    if (supervisor) {
      result.observe(workers, supervisor.workerCount, attributes(supervisor.labels))
      result.observe(restarts, supervisor.restarts, attributes(supervisor.labels))
    }
  }
  meter.addBatchObservableCallback(observe, observables)
  let stopped = false
  return {
    name: reader.name,
    stop() {
      if (stopped) return
      stopped = true
      meter.removeBatchObservableCallback(observe, observables)
    },
  }
}

function attributes(labels: SeriesLabels): Attributes {
  return labels.worker === undefined ? { 'loadbatch.name': labels.name } : { 'loadbatch.name': labels.name, 'loadbatch.worker': labels.worker }
}
