import type { SupervisorState } from '../../machines/supervisor.types.ts'
import { BatcherStoppedError } from '../errors.ts'
import type { WorkerMetrics, WorkerPort } from '../port.ts'

/** The supervisor's counters: the workers' summed (present and past ones), plus one entry per worker. */
export interface SupervisorMetrics extends WorkerMetrics {
  /** The supervisor's state. */
  state: SupervisorState
  /** Workers in the routing set. */
  workerCount: number
  /** Workers restarted after a crash, in all. */
  restarts: number
  /** Items accepted and held by the supervisor for a worker being restarted or taking over keys (part of itemsBuffered). */
  itemsHeld: number
  /** Each worker in the routing set, by slot name (`worker-0`, …). */
  workers: Array<WorkerMetrics & { id: string }>
}

/** A worker port ever attached to a slot, with how many of its items were handed to a replacement. */
export interface PortRecord<T> {
  readonly port: WorkerPort<T>
  /** The slot it was attached to (a restarted worker's slot keeps its name). */
  readonly slot: { readonly id: string; readonly port: WorkerPort<T> | undefined }
  handedOver: number
  live: boolean
}

/** The supervisor's own counters, added to its workers'. */
export interface SupervisorOwnCounters {
  /** Items held by the supervisor for a worker. */
  readonly held: number
  /** Items the supervisor refused itself. */
  readonly dropped: number
  /** Workers in the routing set. */
  readonly workerCount: number
  /** Workers restarted after a crash. */
  readonly restarts: number
}

/** Sums of every worker's counters (present and past), with the supervisor's held items and refusals. */
export function sumMetrics<T>(records: readonly PortRecord<T>[], own: SupervisorOwnCounters, state: SupervisorState): SupervisorMetrics {
  const total = emptyMetrics()
  let p50 = 0
  let p99 = 0
  let batchSizes = 0
  let scores = 0
  let live = 0
  const workers: SupervisorMetrics['workers'] = []
  for (const { port, slot, handedOver, live: isLive } of records) {
    const m = port.metrics()
    total.itemsAdded += m.itemsAdded - handedOver
    total.itemsFlushed += m.itemsFlushed
    total.itemsDropped += m.itemsDropped
    total.itemsFailed += m.itemsFailed - handedOver
    total.itemsBuffered += m.itemsBuffered
    total.itemsInFlight += m.itemsInFlight
    total.flushCount += m.flushCount
    total.failedFlushes += m.failedFlushes
    total.retries += m.retries
    total.totalFlushMs += m.totalFlushMs
    total.feedbackRejected += m.feedbackRejected
    total.oversizedItems += m.oversizedItems
    total.lastFlushMs = Math.max(total.lastFlushMs, m.lastFlushMs)
    p50 = Math.max(p50, m.p50FlushMs)
    p99 = Math.max(p99, m.p99FlushMs)
    total.avgBatchSize += m.avgBatchSize * m.flushCount
    if (isLive && slot.port === port) {
      batchSizes += m.batchSize
      scores += m.loadScore
      total.concurrency += m.concurrency
      live++
      workers.push({ ...m, id: slot.id })
    }
  }
  total.itemsAdded += own.held
  total.itemsBuffered += own.held
  total.itemsDropped += own.dropped
  total.avgFlushMs = total.flushCount === 0 ? 0 : total.totalFlushMs / total.flushCount
  total.avgBatchSize = total.flushCount === 0 ? 0 : total.avgBatchSize / total.flushCount
  total.p50FlushMs = p50
  total.p99FlushMs = p99
  total.batchSize = live === 0 ? 0 : batchSizes / live
  total.loadScore = live === 0 ? 0 : scores / live
  return { ...total, state, workerCount: own.workerCount, restarts: own.restarts, itemsHeld: own.held, workers }
}

/** Counters of held items dead-lettered by the supervisor itself, so the sums keep the invariant. */
export function deadLetteredPort<T>(count: number): WorkerPort<T> {
  const metrics = { ...emptyMetrics(), itemsAdded: count, itemsFailed: count, state: 'stopped' }
  return {
    tryAdd: () => false, add: () => Promise.reject(new BatcherStoppedError()), submit: () => Promise.reject(new BatcherStoppedError()),
    addMany: () => 0, stop: () => Promise.resolve(), state: 'stopped', pending: 0, capacity: 0, whenRoom: () => Promise.resolve(), flush: () => Promise.resolve(), metrics: () => metrics,
    stopped: Promise.resolve(), abandon: () => {},
  }
}

export function emptyMetrics(): Omit<WorkerMetrics, 'state'> {
  return {
    itemsAdded: 0, itemsFlushed: 0, itemsDropped: 0, itemsFailed: 0, itemsBuffered: 0, itemsInFlight: 0, flushCount: 0,
    failedFlushes: 0, retries: 0, lastFlushMs: 0, avgFlushMs: 0, totalFlushMs: 0, p50FlushMs: 0, p99FlushMs: 0, batchSize: 0,
    avgBatchSize: 0, concurrency: 0, loadScore: 0, feedbackRejected: 0, oversizedItems: 0,
  }
}
