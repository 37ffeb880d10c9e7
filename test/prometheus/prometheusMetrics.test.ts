import { Registry, register as globalRegistry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { ConfigError, createBatcher, createSupervisor, roundRobin } from '../../src/index.ts'
import { prometheusMetrics } from '../../src/prometheus/index.ts'
import { createVirtualTime, manualSink } from '../../src/testing/index.ts'
import { crash } from '../supervisor/harness.ts'
import { scrape } from './scrape.ts'

function heldBatcher(options: { capacity?: number } = {}) {
  const time = createVirtualTime()
  const sink = manualSink<number>()
  const batcher = createBatcher<number>({
    flush: sink.flush, size: 2, capacity: options.capacity ?? 4, maxWaitMs: Infinity, scheduler: time.scheduler,
    retry: { attempts: 1 }, onDeadLetter: () => {},
  })
  return { time, sink, batcher }
}

describe('prometheusMetrics', () => {
  it('exports a batcher into the given registry, read at scrape', async () => {
    const { time, sink, batcher } = heldBatcher()
    const registry = new Registry()
    prometheusMetrics(batcher, { registry, name: 'orders' })
    const orders = { name: 'orders' }

    batcher.addMany([1, 2, 3, 4, 5]) // one batch of 2 held, 2 buffered behind it; capacity 4 refuses the fifth
    await time.settle()
    let s = await scrape(registry)
    expect(s.value('loadbatch_items_in_flight', orders)).toBe(2)
    expect(s.value('loadbatch_buffer_items', orders)).toBe(2)
    expect(s.value('loadbatch_items_dropped_total', { ...orders, reason: 'full' })).toBe(1)
    expect(s.value('loadbatch_batch_size', orders)).toBe(2)
    expect(s.value('loadbatch_concurrency', orders)).toBe(1)

    await time.advanceBy(20)
    sink.pending()[0]!.resolve({ cpu: 0.2 })
    await time.settle()
    s = await scrape(registry) // one scrape per flush: each duration is recorded exactly
    await time.advanceBy(280)
    sink.pending()[0]!.reject(new Error('backend down'))
    await time.settle()
    batcher.tryAdd(6)
    await time.settle()
    s = await scrape(registry)

    expect(s.value('loadbatch_items_flushed_total', { ...orders, outcome: 'flushed' })).toBe(2)
    expect(s.value('loadbatch_items_flushed_total', { ...orders, outcome: 'dead_lettered' })).toBe(2)
    expect(s.value('loadbatch_flushes_total', { ...orders, outcome: 'ok' })).toBe(1)
    expect(s.value('loadbatch_flushes_total', { ...orders, outcome: 'failed' })).toBe(1)
    expect(s.value('loadbatch_buffer_items', orders)).toBe(1)
    expect(s.value('loadbatch_flush_duration_seconds_count', orders)).toBe(2)
    expect(s.value('loadbatch_flush_duration_seconds_sum', orders)).toBeCloseTo(0.3, 6)
    expect(s.value('loadbatch_flush_duration_seconds_bucket', { ...orders, le: '0.025' })).toBe(1)
    expect(s.value('loadbatch_flush_duration_seconds_bucket', { ...orders, le: '0.25' })).toBe(1)
    expect(s.value('loadbatch_flush_duration_seconds_bucket', { ...orders, le: '0.5' })).toBe(2)
    expect(s.value('loadbatch_batch_items_sum', orders)).toBe(4)
    expect(s.value('loadbatch_load_score', orders)).toBeGreaterThan(0)
    expect(s.text).toContain('# TYPE loadbatch_flush_duration_seconds histogram')
    expect(s.text).toContain('# HELP loadbatch_items_dropped_total')

    const stopping = batcher.stop()
    await time.settle()
    sink.resolveAll()
    await stopping
    batcher.tryAdd(7)
    s = await scrape(registry)
    expect(s.value('loadbatch_items_dropped_total', { ...orders, reason: 'stopped' })).toBe(1)
    expect(s.value('loadbatch_items_flushed_total', { ...orders, outcome: 'flushed' })).toBe(3)
  })

  it('keeps count and sum exact when several flushes complete between scrapes', async () => {
    const { time, sink, batcher } = heldBatcher({ capacity: 10 })
    const registry = new Registry()
    prometheusMetrics(batcher, { registry })
    for (const [i, ms] of [10, 30, 200].entries()) {
      batcher.addMany([i * 2, i * 2 + 1])
      await time.settle()
      await time.advanceBy(ms)
      sink.pending()[0]!.resolve()
      await time.settle()
    }
    const s = await scrape(registry)
    expect(s.value('loadbatch_flush_duration_seconds_count', { name: 'batcher' })).toBe(3)
    expect(s.value('loadbatch_flush_duration_seconds_sum', { name: 'batcher' })).toBeCloseTo(0.24, 6)
    // The latest flush keeps its own duration (200 ms); the two before are recorded at their mean (20 ms).
    expect(s.value('loadbatch_flush_duration_seconds_bucket', { name: 'batcher', le: '0.1' })).toBe(2)
    expect(s.value('loadbatch_flush_duration_seconds_bucket', { name: 'batcher', le: '0.25' })).toBe(3)
    await batcher.stop()
  })

  it('labels a supervisor’s series by worker, and never touches the global registry', async () => {
    const time = createVirtualTime()
    const flushed: number[] = []
    const pool = createSupervisor<number>({
      worker: { flush: (batch) => void flushed.push(...batch), size: 2, maxWaitMs: Infinity, scheduler: time.scheduler },
      workers: { min: 2, max: 2 },
      route: roundRobin({ run: 1 }),
    })
    const registry = new Registry()
    const before = (await globalRegistry.metrics()).length
    prometheusMetrics(pool, { registry, name: 'pool' })
    pool.addMany([1, 2, 3, 4, 5, 6])
    await time.settle()
    const s = await scrape(registry)
    expect(s.value('loadbatch_workers', { name: 'pool' })).toBe(2)
    expect(s.value('loadbatch_worker_restarts_total', { name: 'pool' })).toBe(0)
    const perWorker = ['worker-0', 'worker-1'].map((worker) => s.value('loadbatch_items_flushed_total', { name: 'pool', worker, outcome: 'flushed' }))
    expect(perWorker.every((n) => n! > 0)).toBe(true)
    expect(perWorker.reduce((a, b) => a! + b!, 0)).toBe(4) // round robin item by item: 3 items each, one batch of 2 flushed, 1 buffered
    expect(s.value('loadbatch_buffer_items', { name: 'pool', worker: 'worker-1' })).toBe(1)
    expect(s.value('loadbatch_batch_items_count', { name: 'pool', worker: 'worker-0' })).toBeGreaterThan(0)
    expect((await globalRegistry.metrics()).length).toBe(before)
    expect(await globalRegistry.metrics()).not.toContain('loadbatch_')
    await pool.stop()
  })

  it('reads the target once per scrape, however many metrics it fills', async () => {
    const { batcher } = heldBatcher()
    let reads = 0
    const counted = { actor: batcher.actor, metrics: () => (reads++, batcher.metrics()) }
    const registry = new Registry()
    prometheusMetrics(counted, { registry })
    reads = 0
    await registry.metrics()
    expect(reads).toBe(1)
    batcher.tryAdd(1)
    expect((await scrape(registry)).value('loadbatch_buffer_items', { name: 'batcher' })).toBe(1)
    expect(reads).toBe(2)
  })

  it('counts a worker restarted after a crash from zero again, and its restart', async () => {
    const time = createVirtualTime()
    const pool = createSupervisor<number>({
      worker: { flush: () => {}, size: 2, maxWaitMs: Infinity, scheduler: time.scheduler },
      workers: { min: 2, max: 2 },
      restart: { backoffMs: 10 },
    })
    const registry = new Registry()
    prometheusMetrics(pool, { registry, name: 'pool' })
    const worker1 = { name: 'pool', worker: 'worker-1' }
    pool.addMany([1, 2, 3, 4, 5, 6, 7, 8])
    await time.settle()
    let s = await scrape(registry)
    expect(s.value('loadbatch_flushes_total', { ...worker1, outcome: 'ok' })).toBe(2)
    expect(s.value('loadbatch_flush_duration_seconds_count', worker1)).toBe(2)

    crash(pool.actor.system.get('worker-1'))
    await time.advanceBy(10)
    pool.addMany([9, 10, 11, 12])
    await time.settle()
    s = await scrape(registry)
    expect(s.value('loadbatch_worker_restarts_total', { name: 'pool' })).toBe(1)
    expect(s.value('loadbatch_flushes_total', { ...worker1, outcome: 'ok' })).toBe(1) // the new worker's own count
    // The histogram only ever grows: the new worker's flush is one more observation, never a negative one.
    expect(s.value('loadbatch_flush_duration_seconds_count', worker1)).toBe(3)
    expect(s.value('loadbatch_batch_items_sum', worker1)).toBe(6)
    await pool.stop()
  })

  it('shares a registry between targets by name, and stop() takes a target’s series out', async () => {
    const a = heldBatcher()
    const b = heldBatcher()
    const registry = new Registry()
    prometheusMetrics(a.batcher, { registry, name: 'a' })
    const handle = prometheusMetrics(b.batcher, { registry, name: 'b' })
    expect(() => prometheusMetrics(b.batcher, { registry, name: 'b' })).toThrow(/`name`.*unique/)
    const other = new Registry()
    prometheusMetrics(a.batcher, { registry: other })
    expect(() => prometheusMetrics(b.batcher, { registry: other })).toThrow(ConfigError) // both would be `batcher`
    a.batcher.tryAdd(1)
    let s = await scrape(registry)
    expect(s.value('loadbatch_buffer_items', { name: 'a' })).toBe(1)
    expect(s.value('loadbatch_buffer_items', { name: 'b' })).toBe(0)
    handle.stop()
    handle.stop()
    s = await scrape(registry)
    expect(s.value('loadbatch_buffer_items', { name: 'b' })).toBeUndefined()
    expect(s.value('loadbatch_buffer_items', { name: 'a' })).toBe(1)
  })

  it('refuses a missing registry and a target that is not a batcher', () => {
    const { batcher } = heldBatcher()
    expect(() => prometheusMetrics(batcher, {} as never)).toThrow(/Expected `registry` to be a prom-client Registry/)
    expect(() => prometheusMetrics({} as never, { registry: new Registry() })).toThrow(/Expected `target`/)
    expect(() => prometheusMetrics(batcher, { registry: new Registry(), name: '' })).toThrow(/Expected `name`/)
    expect(() => prometheusMetrics(batcher, { registry: new Registry(), durationBuckets: [0.1, 0.05] })).toThrow(/Expected `durationBuckets` to be a non-empty array of increasing finite numbers > 0, got `\[0.1,0.05\]`/)
    expect(() => prometheusMetrics(batcher, { registry: new Registry(), batchItemsBuckets: [1, Infinity] })).toThrow(/Expected `batchItemsBuckets`/)
  })
})
