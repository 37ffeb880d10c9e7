/**
 * The yardstick's step response: how many adjustment intervals the default controller needs
 * after the `step` pattern's load jump (0.2 → 0.9 at 30 s) to hold a setting within 10 % of
 * the oracle's goodput at the new load. An adjustment interval is a decision made on a full
 * measurement (autoTune's epoch): the calls that only say "still measuring" are not counted,
 * as autoTune is asked after every flush. The oracle judges; the controller never sees it.
 */

import { autoTune } from '../../controllers/autoTune.ts'
import type { Controller, ControlTarget } from '../../controllers/controller.ts'
import { resolveBackendOptions } from '../backendOptions.ts'
import { expectedGoodput } from '../costModel.ts'
import { step } from '../loadPatterns.ts'
import { runSimulation } from '../runSimulation.ts'
import type { EvaluationRange } from './contenders.ts'
import { oracleSetting } from './oracle.ts'

/** What the step response measured. */
export interface StepResponse {
  readonly range: string
  /** Decisions after the jump until the target came within 10 % of the oracle (Infinity: never within the run). */
  readonly intervals: number
  /** Seconds after the jump until then. */
  readonly seconds: number
  /** The target reached then, and the oracle's setting at the new load. */
  readonly reached: ControlTarget | undefined
  readonly oracle: ControlTarget
}

/** Runs the default controller on `step` for 60 s and reads its decisions after the jump. */
export async function measureStepResponse(range: EvaluationRange, seed: number): Promise<StepResponse> {
  const jumpMs = 30_000
  const decisions: { at: number; target: ControlTarget }[] = []
  const inner = autoTune()
  const recorded: Controller<any> = {
    ...inner,
    decide(input, state) {
      const decision = inner.decide(input, state)
      if (decision.reason?.rule !== 'measuring') decisions.push({ at: input.now, target: { batchSize: decision.batchSize, concurrency: decision.concurrency } })
      return decision
    },
  }
  // Virtual time starts at 0 with the run, so a decision's `now` is its time into the run.
  await runSimulation({ size: range.size, concurrency: range.concurrency, controller: recorded, pattern: 'step', seed, count: Infinity, durationMs: 60_000, workers: 4 })
  const model = resolveBackendOptions({ pattern: step(), seed })
  const after = 0.9
  const oracle = oracleSetting(after, range, model)
  const afterJump = decisions.filter((d) => d.at >= jumpMs)
  const good = afterJump.findIndex((d) => expectedGoodput(d.target.batchSize, { background: after, concurrency: d.target.concurrency }, model) >= 0.9 * oracle.itemsPerSecond)
  return {
    range: range.name,
    intervals: good < 0 ? Infinity : good + 1,
    seconds: good < 0 ? Infinity : (afterJump[good]!.at - jumpMs) / 1000,
    reached: good < 0 ? undefined : afterJump[good]!.target,
    oracle: { batchSize: oracle.batchSize, concurrency: oracle.concurrency },
  }
}
