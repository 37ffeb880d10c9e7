/**
 * The yardstick's open loop: items offered at a fixed rate (a share of the backend's capacity
 * within the range, measured as the best fixed pair's closed-loop goodput), so every
 * contender moves the same items and the figure is item latency, from offer to flushed.
 */

import type { LoadPatternName } from '../loadPatterns.ts'
import { runSimulation } from '../runSimulation.ts'
import { figuresOf, type RunFigures } from './closedLoop.ts'
import type { Contender } from './contenders.ts'

/** One offered rate and every contender's figures at it. */
export interface OpenLoopRow {
  readonly share: number
  readonly ratePerSecond: number
  readonly runs: readonly RunFigures[]
}

/** Offered rates as shares of capacity: 10 % .. 120 %. */
export const offeredShares = [0.1, 0.25, 0.5, 0.75, 0.9, 1, 1.2] as const

/** Runs every contender at each offered share of `capacityPerSecond`. */
export async function runOpenLoop(
  pattern: LoadPatternName,
  seed: number,
  durationMs: number,
  capacityPerSecond: number,
  contenders: readonly Contender[],
  shares: readonly number[] = offeredShares,
): Promise<OpenLoopRow[]> {
  const rows: OpenLoopRow[] = []
  for (const share of shares) {
    const ratePerSecond = Math.max(1, Math.round(capacityPerSecond * share))
    const runs: RunFigures[] = []
    for (const contender of contenders) {
      const run = await runSimulation({ ...contender.options, pattern, seed, count: Infinity, durationMs, workers: 4, ratePerSecond, label: contender.label })
      runs.push(figuresOf(contender, run.summary))
    }
    rows.push({ share, ratePerSecond, runs })
  }
  return rows
}
