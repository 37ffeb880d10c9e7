/**
 * The yardstick's closed loop: producers as fast as the batcher accepts, so goodput (items
 * flushed per second of the run's window) is the figure. The drain after the window is left
 * out: its length is the buffer's (a contender's capacity) over the backend's pace at the
 * end, not the steering, and the item latencies of the open loop judge buffering. For each range × pattern × seed × run length, every
 * contender runs on the same seeded backend; the cell keeps each one's figures and the
 * oracle's goodput.
 */

import { resolveBackendOptions } from '../backendOptions.ts'
import { createLoadPattern, type LoadPatternName } from '../loadPatterns.ts'
import { runSimulation } from '../runSimulation.ts'
import type { SimulationSummary } from '../runResult.ts'
import type { Contender, EvaluationRange } from './contenders.ts'
import { oracleGoodput } from './oracle.ts'

/** One contender's figures in one cell. */
export interface RunFigures {
  readonly label: string
  readonly kind: Contender['kind']
  readonly itemsPerSecond: number
  readonly deadLettered: number
  readonly flushP99Ms: number
  readonly itemP99Ms: number
  readonly avgBatchSize: number
  readonly finalConcurrency: number
}

/** One cell of the closed loop: a range, pattern, seed and length, and every contender's figures. */
export interface ClosedLoopCell {
  readonly range: string
  readonly pattern: LoadPatternName
  readonly seed: number
  readonly durationMs: number
  /** The oracle's goodput (cost model, true load, best setting at each moment). */
  readonly oracleItemsPerSecond: number
  readonly runs: readonly RunFigures[]
}

/** Figures of one summary. */
export function figuresOf(contender: Contender, summary: SimulationSummary): RunFigures {
  return {
    label: contender.label,
    kind: contender.kind,
    itemsPerSecond: summary.windowItemsPerSecond,
    deadLettered: summary.itemsFailed,
    flushP99Ms: summary.latencyP99Ms,
    itemP99Ms: summary.itemLatencyP99Ms,
    avgBatchSize: summary.avgBatchSize,
    finalConcurrency: summary.finalConcurrency,
  }
}

/** Runs every contender in one closed-loop cell. */
export async function runClosedLoopCell(
  range: EvaluationRange,
  pattern: LoadPatternName,
  seed: number,
  durationMs: number,
  contenders: readonly Contender[],
): Promise<ClosedLoopCell> {
  const runs: RunFigures[] = []
  for (const contender of contenders) {
    const run = await runSimulation({ ...contender.options, pattern, seed, count: Infinity, durationMs, workers: 4, label: contender.label })
    runs.push(figuresOf(contender, run.summary))
  }
  const model = resolveBackendOptions({ pattern: createLoadPattern(pattern, { seed }), seed })
  const oracleItemsPerSecond = oracleGoodput(model, { size: range.size, concurrency: range.concurrency }, durationMs)
  return { range: range.name, pattern, seed, durationMs, oracleItemsPerSecond, runs }
}

/** The fixed pair with the highest goodput in a cell (the best fixed choice in hindsight). */
export function bestFixed(cell: ClosedLoopCell): RunFigures {
  const fixed = cell.runs.filter((run) => run.kind === 'fixed')
  return fixed.reduce((best, run) => (run.itemsPerSecond > best.itemsPerSecond ? run : best), fixed[0]!)
}
