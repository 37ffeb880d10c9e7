/**
 * The summary table of a set of runs, as rows of formatted cells: the same columns in the
 * terminal (`loadbatch simulate --compare`) and in the HTML report.
 */

import type { SimulationRun } from '../sim/runResult.ts'

/** Column headings of {@link summaryRows}. */
export const summaryColumns = ['run', 'items/s', 'p50 ms', 'p99 ms', 'errors', 'dead-lettered', 'flushed', 'final batch', 'avg batch', 'time'] as const

/** One row per run: label, throughput, latency p50/p99, errors, dead letters, items flushed, final and average batch size, run time. */
export function summaryRows(runs: readonly SimulationRun[]): string[][] {
  return runs.map(({ label, summary: s }) => [
    label,
    s.itemsPerSecond.toFixed(0),
    s.latencyP50Ms.toFixed(0),
    s.latencyP99Ms.toFixed(0),
    String(s.errors),
    String(s.itemsFailed),
    `${s.itemsFlushed}/${s.itemsOffered}`,
    String(s.finalBatchSize),
    s.avgBatchSize.toFixed(1),
    `${(s.durationMs / 1000).toFixed(1)} s`,
  ])
}
