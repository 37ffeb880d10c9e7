import { readTarget, targetName, type InstrumentTarget } from './instrumentTarget.ts'
import { SeriesTally, type DropReason, type FlushObservation } from './seriesTally.ts'
import type { WorkerMetrics } from '../port.ts'

/** Labels of one series: the target's name and, for a supervisor's worker, the worker's slot. */
export interface SeriesLabels {
  readonly name: string
  readonly worker?: string
}

/** One series as the exporters report it. */
export interface SeriesReading {
  readonly labels: SeriesLabels
  readonly metrics: WorkerMetrics
  /** Items refused so far, by reason. */
  readonly drops: Readonly<Record<DropReason, number>>
}

/** One reading of a target, ready to export. */
export interface TargetReading {
  readonly series: readonly SeriesReading[]
  /** The supervisor's own figures (labels: its name), or undefined for a batcher. */
  readonly supervisor: { readonly labels: SeriesLabels; readonly workerCount: number; readonly restarts: number } | undefined
}

/**
 * Reads one instrumented target for an exporter: its series with their labels, and each flush
 * call completed since the last reading handed once to `onFlush`, whichever instrument asked.
 */
export class TargetReader {
  readonly name: string
  private readonly tallies = new Map<string, SeriesTally>()

  constructor(
    private readonly target: InstrumentTarget,
    name: string | undefined,
    private readonly onFlush: (labels: SeriesLabels, observation: FlushObservation) => void,
  ) {
    this.name = targetName(target, name)
  }

  /** The target's series now. */
  read(): TargetReading {
    const { series, supervisor } = readTarget(this.target)
    const seen = new Set<string>()
    const readings = series.map(({ worker, metrics }) => {
      const key = worker ?? ''
      seen.add(key)
      let tally = this.tallies.get(key)
      if (!tally) this.tallies.set(key, (tally = new SeriesTally()))
      const labels: SeriesLabels = worker === undefined ? { name: this.name } : { name: this.name, worker }
      for (const observation of tally.read(metrics)) this.onFlush(labels, observation)
      return { labels, metrics, drops: { ...tally.drops } }
    })
    for (const key of this.tallies.keys()) if (!seen.has(key)) this.tallies.delete(key)
    return { series: readings, supervisor: supervisor && { labels: { name: this.name }, ...supervisor } }
  }
}
