import type { WorkerMetrics } from '../port.ts'

/** Why items were refused: the buffer was full, or the target was stopping or stopped. */
export type DropReason = 'full' | 'stopped'

/** The flush calls completed since the last reading, as observations for a histogram. */
export interface FlushObservation {
  /** Duration of the call, in seconds. */
  readonly seconds: number
  /** Items the call carried. */
  readonly items: number
}

const STOPPING = new Set(['draining', 'stopped'])

/**
 * Turns successive metric readings of one series into what the exporters need that a single
 * reading does not hold: drops split by reason, and one observation per flush call.
 *
 * Observations are exact when readings come once per flush (the last flush's duration). When
 * several calls completed between two readings, the latest is recorded at `lastFlushMs` and the
 * others at the mean of the rest, so a histogram's count and sum are always exact and only the
 * spread between readings is approximated.
 */
export class SeriesTally {
  private flushCount = 0
  private totalFlushMs = 0
  private batchedItems = 0
  private dropped = 0
  /** Items refused, by reason, since the series was first read. */
  readonly drops: Record<DropReason, number> = { full: 0, stopped: 0 }

  /** Reads `metrics`, updating the drops and returning the flush calls completed since the last reading. */
  read(metrics: WorkerMetrics): FlushObservation[] {
    if (metrics.itemsDropped < this.dropped || metrics.flushCount < this.flushCount) this.restart()
    this.drops[STOPPING.has(metrics.state) ? 'stopped' : 'full'] += metrics.itemsDropped - this.dropped
    this.dropped = metrics.itemsDropped
    const calls = metrics.flushCount - this.flushCount
    if (calls === 0) return []
    const batchedItems = Math.round(metrics.avgBatchSize * metrics.flushCount)
    const ms = metrics.totalFlushMs - this.totalFlushMs
    const items = batchedItems - this.batchedItems
    this.flushCount = metrics.flushCount
    this.totalFlushMs = metrics.totalFlushMs
    this.batchedItems = batchedItems
    if (calls === 1) return [{ seconds: ms / 1000, items }]
    const lastMs = Math.min(metrics.lastFlushMs, ms)
    const restMs = (ms - lastMs) / (calls - 1)
    const perCall = items / calls
    const observations: FlushObservation[] = Array.from({ length: calls - 1 }, () => ({ seconds: restMs / 1000, items: perCall }))
    observations.push({ seconds: lastMs / 1000, items: perCall })
    return observations
  }

  /** A restarted worker counts from zero again: so does its tally (its drops so far are kept). */
  private restart(): void {
    this.flushCount = 0
    this.totalFlushMs = 0
    this.batchedItems = 0
    this.dropped = 0
  }
}
