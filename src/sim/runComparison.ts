/**
 * The same simulation with an adaptive controller and with fixed batch sizes beside it (the
 * CLI's `--compare`): same pattern, seed, producers and backend, only the batch size differs.
 */

import type { SimulationRun } from './runResult.ts'
import { runSimulation } from './runSimulation.ts'
import type { SimulationOptions, SimulationProgress } from './simulationOptions.ts'

/** The fixed sizes the CLI compares with: too small, the Go demo's start, too large. */
export const comparedFixedSizes = [5, 20, 100] as const

/** Options of {@link runComparison}. */
export interface ComparisonOptions {
  /** The adaptive run; the fixed runs copy everything but `size`, `controller` and `label`. */
  readonly adaptive: SimulationOptions
  /** Fixed batch sizes to run beside it (default {@link comparedFixedSizes}). */
  readonly fixedSizes?: readonly number[]
  /** Called at each sample of each run, with the run's label. */
  readonly onProgress?: (label: string, progress: SimulationProgress) => void
}

/**
 * Runs the adaptive simulation and one fixed-size simulation per size; the adaptive run comes
 * first in the result. In virtual time the runs go one after another (each is exactly
 * repeatable anyway); in real time they run side by side, each with its own backend, so the
 * comparison takes as long as the slowest run rather than their sum.
 */
export async function runComparison(options: ComparisonOptions): Promise<SimulationRun[]> {
  const sizes = options.fixedSizes ?? comparedFixedSizes
  const { label: _label, controller: _controller, ...shared } = options.adaptive
  const all: SimulationOptions[] = [options.adaptive, ...sizes.map((size) => ({ ...shared, size, label: `fixed ${size}` }))]
  const withProgress = all.map((run, index): SimulationOptions => {
    const onProgress = options.onProgress
    if (!onProgress) return run
    return { ...run, onProgress: (progress) => onProgress(run.label ?? (index === 0 ? 'adaptive' : `fixed ${sizes[index - 1]}`), progress) }
  })
  if (options.adaptive.clock === 'real') return Promise.all(withProgress.map((run) => runSimulation(run)))
  const runs: SimulationRun[] = []
  for (const run of withProgress) runs.push(await runSimulation(run))
  return runs
}
