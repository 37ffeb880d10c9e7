import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type MetricData } from '@opentelemetry/sdk-metrics'
import { afterEach, describe, expect, it } from 'vitest'
import { createBatcher, createSupervisor } from '../../src/index.ts'
import { otelMetrics } from '../../src/otel/index.ts'
import { createVirtualTime, manualSink } from '../../src/testing/index.ts'

const providers: MeterProvider[] = []
afterEach(async () => {
  for (const provider of providers.splice(0)) await provider.shutdown()
})

/** A real SDK pipeline ending in an in-memory exporter; `collect()` exports once and returns what it holds. */
function pipeline() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 2 ** 31 - 1 })
  const provider = new MeterProvider({ readers: [reader] })
  providers.push(provider)
  return {
    meter: provider.getMeter('loadbatch-test'),
    async collect(): Promise<MetricData[]> {
      exporter.reset()
      await reader.forceFlush()
      return exporter.getMetrics().flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics))
    },
  }
}

function point(metrics: MetricData[], name: string, attributes: Record<string, string>) {
  const metric = metrics.find((m) => m.descriptor.name === name)
  return metric?.dataPoints.find((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v))
}

describe('otelMetrics', () => {
  it('reports counters, gauges and histograms of a batcher through the meter', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const batcher = createBatcher<number>({ flush: sink.flush, size: 2, capacity: 4, maxWaitMs: Infinity, scheduler: time.scheduler })
    const otel = pipeline()
    otelMetrics(batcher, { meter: otel.meter, name: 'orders' })
    const at = { 'loadbatch.name': 'orders' }

    batcher.addMany([1, 2, 3, 4, 5])
    await time.settle()
    await time.advanceBy(40)
    sink.pending()[0]!.resolve()
    await time.settle()
    let metrics = await otel.collect()
    expect(point(metrics, 'loadbatch.items.flushed', { ...at, outcome: 'flushed' })?.value).toBe(2)
    expect(point(metrics, 'loadbatch.items.dropped', { ...at, reason: 'full' })?.value).toBe(1)
    expect(point(metrics, 'loadbatch.batch.size', at)?.value).toBe(2)
    expect(point(metrics, 'loadbatch.items.in_flight', at)?.value).toBe(2)
    expect(point(metrics, 'loadbatch.buffer.items', at)?.value).toBe(0)

    await time.advanceBy(500)
    sink.pending()[0]!.resolve()
    await time.settle()
    await otel.collect() // the histogram gets the flush in this collection; the next export carries it
    metrics = await otel.collect()
    const duration = point(metrics, 'loadbatch.flush.duration', at)?.value as { count: number; sum: number; min: number; max: number }
    expect(duration.count).toBe(2)
    expect(duration.sum).toBeCloseTo(0.54, 6)
    expect(duration.min).toBeCloseTo(0.04, 6)
    expect(duration.max).toBeCloseTo(0.5, 6)
    expect((point(metrics, 'loadbatch.batch.items', at)?.value as { sum: number }).sum).toBe(4)
    expect(metrics.find((m) => m.descriptor.name === 'loadbatch.flush.duration')?.descriptor.unit).toBe('s')
    await batcher.stop()
  })

  it('gives each worker of a supervisor its own data points', async () => {
    const time = createVirtualTime()
    const pool = createSupervisor<number>({
      worker: { flush: () => {}, size: 2, maxWaitMs: Infinity, scheduler: time.scheduler },
      workers: { min: 3, max: 3 },
    })
    const otel = pipeline()
    const handle = otelMetrics(pool, { meter: otel.meter })
    expect(handle.name).toBe('supervisor')
    pool.addMany([1, 2, 3, 4, 5, 6])
    await time.settle()
    const metrics = await otel.collect()
    for (const worker of ['worker-0', 'worker-1', 'worker-2']) {
      expect(point(metrics, 'loadbatch.items.flushed', { 'loadbatch.name': 'supervisor', 'loadbatch.worker': worker, outcome: 'flushed' })?.value).toBe(2)
    }
    expect(point(metrics, 'loadbatch.workers', { 'loadbatch.name': 'supervisor' })?.value).toBe(3)
    handle.stop()
    handle.stop()
    pool.addMany([7, 8, 9, 10, 11, 12])
    await time.settle()
    expect(pool.metrics().itemsFlushed).toBe(12)
    const after = await otel.collect() // no longer observed: nothing new is reported
    expect(point(after, 'loadbatch.items.flushed', { 'loadbatch.worker': 'worker-0', outcome: 'flushed' })?.value ?? 2).toBe(2)
    await pool.stop()
  })

  it('refuses what is not a meter', () => {
    const batcher = createBatcher<number>({ flush: () => {} })
    expect(() => otelMetrics(batcher, { meter: {} as never })).toThrow(/Expected `meter` to be an OpenTelemetry Meter/)
    void batcher.stop()
  })
})
