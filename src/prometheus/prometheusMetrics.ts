import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { ConfigError } from '../errors.ts'
import { isInstrumentTarget, type InstrumentTarget } from '../instrumentation/instrumentTarget.ts'
import { TargetReader, type SeriesLabels, type TargetReading } from '../instrumentation/targetReader.ts'

/** Options of {@link prometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /** Your prom-client `Registry`. Required: loadbatch never registers into the global one. */
  readonly registry: Registry
  /** The `name` label of this target's series (default: the actor's systemId, else `batcher` / `supervisor`); unique per registry. */
  readonly name?: string
  /** Buckets of `loadbatch_flush_duration_seconds`, in seconds, increasing (default 1 ms … 30 s). The first call on a registry sets them. */
  readonly durationBuckets?: readonly number[]
  /** Buckets of `loadbatch_batch_items`, increasing (default 1 … 10 000). The first call on a registry sets them. */
  readonly batchItemsBuckets?: readonly number[]
}

/** A target instrumented into a registry. */
export interface PrometheusMetricsHandle {
  /** The `name` label of the target's series. */
  readonly name: string
  /** Stops reporting this target: its series leave the registry's output. Idempotent. */
  stop(): void
}

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const BATCH_ITEMS_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000]
const SERIES_LABELS = ['name', 'worker'] as const

/** The instruments of one registry, shared by every target instrumented into it. */
interface Instruments {
  readonly readers: Map<string, TargetReader>
  readonly flushDuration: Histogram<'name' | 'worker'>
  readonly batchItems: Histogram<'name' | 'worker'>
}

const byRegistry = new WeakMap<Registry, Instruments>()

/**
 * Exports a batcher's or a supervisor's metrics into your prom-client `registry`; one call per
 * target. A supervisor's series carry one `worker` label per worker (`worker-0`, …); every
 * series carries the target's `name`, so several targets can share a registry.
 *
 * Values are read from `target.metrics()` once per scrape,
 * so instrumenting costs nothing between scrapes. The histograms get one observation per flush
 * call completed since the last scrape: count and sum are exact; when several calls completed
 * in between, the latest is recorded at its own duration and the others at their mean.
 *
 * Metrics (counters and gauges labelled `name`, `worker`):
 * - `loadbatch_items_flushed_total{outcome}`: items whose batch settled; `outcome` is
 *   `flushed` or `dead_lettered`.
 * - `loadbatch_items_dropped_total{reason}`: items refused, never accepted; `reason` is `full`
 *   (capacity reached) or `stopped` (offered while stopping or after).
 * - `loadbatch_flush_duration_seconds`: histogram of flush call durations (every attempt).
 * - `loadbatch_batch_items`: histogram of items per flush call.
 * - `loadbatch_batch_size`: the target batch size in force (the controller's choice).
 * - `loadbatch_concurrency`: flushes allowed in flight at once.
 * - `loadbatch_buffer_items`: items waiting in the buffer for a batch.
 * - `loadbatch_items_in_flight`: items in batches being flushed or waiting to retry.
 * - `loadbatch_load_score`: the smoothed load score, 0..1.
 * - `loadbatch_flushes_total{outcome}`: flush calls; `outcome` is `ok` or `failed`.
 * - `loadbatch_retries_total`: flush calls that were retries.
 * - Supervisors only (labelled `name`): `loadbatch_workers` (workers in the routing set) and
 *   `loadbatch_worker_restarts_total`.
 *
 * A worker restarted after a crash counts from zero again: Prometheus's `rate()` reads that as a
 * counter reset.
 *
 * @throws ConfigError when `registry` is not a Registry, `target` is neither a batcher nor a
 * supervisor, or `name` is already instrumented into this registry.
 * @example
 * const registry = new Registry()
 * prometheusMetrics(batcher, { registry, name: 'orders' })
 * app.get('/metrics', async (_, res) => res.type(registry.contentType).send(await registry.metrics()))
 */
export function prometheusMetrics(target: InstrumentTarget, options: PrometheusMetricsOptions): PrometheusMetricsHandle {
  if (!isInstrumentTarget(target)) throw new ConfigError('target', 'a batcher or a supervisor (an object with metrics() and actor)', target)
  const registry = options?.registry
  if (typeof registry?.registerMetric !== 'function' || typeof registry.getSingleMetric !== 'function') {
    throw new ConfigError('registry', "a prom-client Registry (new Registry()); loadbatch never registers into the global one", registry)
  }
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) throw new ConfigError('name', 'a non-empty string', options.name)
  for (const field of ['durationBuckets', 'batchItemsBuckets'] as const) checkBuckets(field, options[field])
  const instruments = byRegistry.get(registry) ?? register(registry, options)
  const observed = new Map<string, SeriesLabels>()
  const reader = new TargetReader(target, options.name, (labels, { seconds, items }) => {
    observed.set(labels.worker ?? '', labels)
    instruments.flushDuration.observe(labels, seconds)
    instruments.batchItems.observe(labels, items)
  })
  if (instruments.readers.has(reader.name)) {
    throw new ConfigError('name', `unique among the targets in this registry (\`${reader.name}\` is taken); pass a distinct { name }`, options.name)
  }
  instruments.readers.set(reader.name, reader)
  reader.read() // the baseline: flushes before now are not observed twice
  return {
    name: reader.name,
    stop() {
      if (instruments.readers.get(reader.name) !== reader) return
      instruments.readers.delete(reader.name)
      for (const labels of observed.values()) {
        instruments.flushDuration.remove(labels)
        instruments.batchItems.remove(labels)
      }
    },
  }
}

/** Creates the registry's instruments; each counter and gauge is filled from the targets at scrape. */
function register(registry: Registry, options: PrometheusMetricsOptions): Instruments {
  const readers = new Map<string, TargetReader>()
  const registers = [registry]
  // prom-client runs every metric's collect() in one synchronous loop per scrape: the targets
  // are read once for all of them, and the reading is dropped before the scrape resumes.
  let scrape: TargetReading[] | undefined
  const readings = (): TargetReading[] => {
    if (!scrape) {
      scrape = [...readers.values()].map((reader) => reader.read())
      queueMicrotask(() => (scrape = undefined))
    }
    return scrape
  }
  /** A counter or gauge whose values are set from each series at scrape. */
  const fromSeries = (
    Kind: typeof Counter | typeof Gauge,
    name: string,
    help: string,
    values: (series: TargetReading['series'][number]) => Array<[Record<string, string>, number]>,
    extraLabel?: string,
  ) => {
    const labelNames = extraLabel ? [...SERIES_LABELS, extraLabel] : [...SERIES_LABELS]
    return new Kind({
      name, help, labelNames, registers,
      collect(this: Counter | Gauge) {
        this.reset()
        for (const reading of readings()) {
          for (const series of reading.series) for (const [extra, value] of values(series)) set(this, { ...series.labels, ...extra }, value)
        }
      },
    })
  }
  const one = (value: (m: TargetReading['series'][number]['metrics']) => number) => (series: TargetReading['series'][number]): Array<[Record<string, string>, number]> => [[{}, value(series.metrics)]]

  fromSeries(Counter, 'loadbatch_items_flushed_total', 'Items whose batch settled, by outcome (flushed, dead_lettered).',
    ({ metrics }) => [[{ outcome: 'flushed' }, metrics.itemsFlushed], [{ outcome: 'dead_lettered' }, metrics.itemsFailed]], 'outcome')
  fromSeries(Counter, 'loadbatch_items_dropped_total', 'Items refused and never accepted, by reason (full, stopped).',
    ({ drops }) => [[{ reason: 'full' }, drops.full], [{ reason: 'stopped' }, drops.stopped]], 'reason')
  fromSeries(Counter, 'loadbatch_flushes_total', 'Flush calls (every attempt), by outcome (ok, failed).',
    ({ metrics }) => [[{ outcome: 'ok' }, metrics.flushCount - metrics.failedFlushes], [{ outcome: 'failed' }, metrics.failedFlushes]], 'outcome')
  fromSeries(Counter, 'loadbatch_retries_total', 'Flush calls that were retries.', one((m) => m.retries))
  fromSeries(Gauge, 'loadbatch_batch_size', 'The target batch size in force.', one((m) => m.batchSize))
  fromSeries(Gauge, 'loadbatch_concurrency', 'Flushes allowed in flight at once.', one((m) => m.concurrency))
  fromSeries(Gauge, 'loadbatch_buffer_items', 'Items waiting in the buffer for a batch.', one((m) => m.itemsBuffered))
  fromSeries(Gauge, 'loadbatch_items_in_flight', 'Items in batches being flushed or waiting to retry.', one((m) => m.itemsInFlight))
  fromSeries(Gauge, 'loadbatch_load_score', 'The smoothed load score of the backend, 0..1.', one((m) => m.loadScore))
  new Gauge({
    name: 'loadbatch_workers', help: "Workers in a supervisor's routing set.", labelNames: ['name'], registers,
    collect() {
      this.reset()
      for (const { supervisor } of readings()) if (supervisor) this.set(supervisor.labels, supervisor.workerCount)
    },
  })
  new Counter({
    name: 'loadbatch_worker_restarts_total', help: 'Workers a supervisor restarted after a crash.', labelNames: ['name'], registers,
    collect() {
      this.reset()
      for (const { supervisor } of readings()) if (supervisor) this.inc(supervisor.labels, supervisor.restarts)
    },
  })
  // The histograms get their observations from the readers; reading here makes a scrape of them alone current.
  const histogram = (name: string, help: string, buckets: readonly number[]) =>
    new Histogram({ name, help, labelNames: [...SERIES_LABELS], buckets: [...buckets], registers, collect: () => void readings() })
  const instruments: Instruments = {
    readers,
    flushDuration: histogram('loadbatch_flush_duration_seconds', 'Duration of flush calls (every attempt), in seconds.', options.durationBuckets ?? DURATION_BUCKETS),
    batchItems: histogram('loadbatch_batch_items', 'Items per flush call.', options.batchItemsBuckets ?? BATCH_ITEMS_BUCKETS),
  }
  byRegistry.set(registry, instruments)
  return instruments
}

function set(metric: Counter | Gauge, labels: SeriesLabels & Record<string, string>, value: number): void {
  if (metric instanceof Gauge) metric.set(labels, value)
  else metric.inc(labels, value)
}

function checkBuckets(field: string, buckets: readonly number[] | undefined): void {
  if (buckets === undefined) return
  const increasing = Array.isArray(buckets) && buckets.length > 0 && buckets.every((b, i) => Number.isFinite(b) && b > 0 && (i === 0 || b > buckets[i - 1]!))
  if (!increasing) throw new ConfigError(field, 'a non-empty array of increasing finite numbers > 0', buckets)
}
