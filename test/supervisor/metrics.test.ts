import { describe, expect, it } from 'vitest'
import { BatcherStoppedError } from '../../src/errors.ts'
import type { WorkerMetrics, WorkerPort } from '../../src/port.ts'
import { deadLetteredPort, emptyMetrics, sumMetrics, type PortRecord } from '../../src/supervisor/supervisorMetrics.ts'

/**
 * The supervisor's sums (src/supervisor/supervisorMetrics.ts) field by field: counters add up
 * over every worker ever attached, less what a crashed one handed to its replacement; the
 * latencies take the worst; the target and load score average the live workers only.
 */
function portWith(metrics: Partial<WorkerMetrics>): WorkerPort<number> {
  const full = { ...emptyMetrics(), state: 'collecting', ...metrics }
  return { ...deadLetteredPort<number>(0), metrics: () => full }
}

function record(id: string, port: WorkerPort<number>, options: { handedOver?: number; live?: boolean; replaced?: boolean } = {}): PortRecord<number> {
  return { port, slot: { id, port: options.replaced ? portWith({}) : port }, handedOver: options.handedOver ?? 0, live: options.live ?? true }
}

const a = { itemsAdded: 10, itemsFlushed: 6, itemsDropped: 1, itemsFailed: 1, itemsBuffered: 2, itemsInFlight: 1, flushCount: 3, failedFlushes: 1, retries: 2, lastFlushMs: 5, avgFlushMs: 99, totalFlushMs: 30, p50FlushMs: 8, p99FlushMs: 20, batchSize: 4, avgBatchSize: 2, concurrency: 2, loadScore: 0.25, feedbackRejected: 1, oversizedItems: 1 }
/** A worker that crashed after handing 3 of its items to its replacement, its record no longer live. */
const crashed = { itemsAdded: 7, itemsFlushed: 2, itemsDropped: 2, itemsFailed: 4, flushCount: 1, failedFlushes: 2, retries: 3, lastFlushMs: 9, avgFlushMs: 77, totalFlushMs: 12, p50FlushMs: 12, p99FlushMs: 12, batchSize: 50, avgBatchSize: 6, concurrency: 5, loadScore: 0.9, feedbackRejected: 2, oversizedItems: 3 }
/** A record still marked live whose slot has another worker now: its target does not count. */
const replaced = { batchSize: 1000, loadScore: 1, concurrency: 9 }
const d = { itemsAdded: 5, itemsFlushed: 3, itemsBuffered: 1, itemsInFlight: 1, flushCount: 2, lastFlushMs: 7, avgFlushMs: 1, totalFlushMs: 14, p50FlushMs: 10, p99FlushMs: 15, batchSize: 8, avgBatchSize: 1.5, concurrency: 1, loadScore: 0.75 }

describe('supervisor metrics', () => {
  it('sums every worker ever attached, with the supervisor own held and refused items', () => {
    const records = [
      record('worker-0', portWith(a)),
      record('worker-1', portWith(crashed), { handedOver: 3, live: false }),
      record('worker-1', portWith(replaced), { replaced: true }),
      record('worker-1', portWith(d)),
    ]
    const m = sumMetrics(records, { held: 4, dropped: 5, workerCount: 2, restarts: 1 }, 'restarting')
    expect(m).toEqual({
      itemsAdded: 10 + (7 - 3) + 5 + 4,
      itemsFlushed: 6 + 2 + 3,
      itemsDropped: 1 + 2 + 5,
      itemsFailed: 1 + (4 - 3),
      itemsBuffered: 2 + 1 + 4,
      itemsInFlight: 1 + 1,
      flushCount: 6,
      failedFlushes: 3,
      retries: 5,
      totalFlushMs: 56,
      avgFlushMs: 56 / 6,
      lastFlushMs: 9,
      p50FlushMs: 12,
      p99FlushMs: 20,
      avgBatchSize: (2 * 3 + 6 * 1 + 1.5 * 2) / 6,
      feedbackRejected: 3,
      oversizedItems: 4,
      batchSize: (4 + 8) / 2,
      loadScore: (0.25 + 0.75) / 2,
      concurrency: 2 + 1,
      state: 'restarting',
      workerCount: 2,
      restarts: 1,
      itemsHeld: 4,
      workers: [
        { ...emptyMetrics(), state: 'collecting', ...a, id: 'worker-0' },
        { ...emptyMetrics(), state: 'collecting', ...d, id: 'worker-1' },
      ],
    })
  })

  it('reports zeros, not NaN, before any flush and without a live worker', () => {
    const m = sumMetrics([record('worker-0', portWith({ itemsAdded: 2, itemsBuffered: 2, batchSize: 10, loadScore: 0.5 }), { live: false })], { held: 0, dropped: 0, workerCount: 1, restarts: 0 }, 'running')
    expect(m).toMatchObject({ avgFlushMs: 0, avgBatchSize: 0, batchSize: 0, loadScore: 0, concurrency: 0, itemsAdded: 2, workers: [] })
  })

  it('counts held items the supervisor dead-lettered as added and failed, through a stopped port that takes nothing', async () => {
    const port = deadLetteredPort<number>(3)
    expect(port.metrics()).toEqual({ ...emptyMetrics(), itemsAdded: 3, itemsFailed: 3, state: 'stopped' })
    expect([port.state, port.pending, port.capacity, port.tryAdd(1), port.addMany([1, 2])]).toEqual(['stopped', 0, 0, false, 0])
    await expect(port.add(1)).rejects.toBeInstanceOf(BatcherStoppedError)
    await expect(port.submit(1)).rejects.toBeInstanceOf(BatcherStoppedError)
    await expect(Promise.all([port.stop(), port.whenRoom(), port.flush(), port.stopped])).resolves.toEqual([undefined, undefined, undefined, undefined])
    expect(port.abandon(new Error('x'))).toBeUndefined()
  })
})
