/**
 * The controller's decisions as a report shows them: each change of a run's batch size between
 * two samples, with the reason the controller gave when its samples carry one (`reason`: a
 * string, or the controller's `DecisionReason`), so a hover can say why the size moved.
 */

import type { SimulationRun, SimulationSample } from '../sim/runResult.ts'

/** One change of the batch size. */
export interface Decision {
  /** The sample at which the new size was first seen, in ms. */
  readonly atMs: number
  readonly from: number
  readonly to: number
  /** Why, in the controller's words, when it said. */
  readonly reason: string | undefined
}

/** The batch size changes of `run` up to `untilMs`. */
export function decisionsOf(run: SimulationRun, untilMs = Infinity): Decision[] {
  const decisions: Decision[] = []
  run.samples.forEach((sample, i) => {
    const previous = run.samples[i - 1]
    if (!previous || sample.atMs > untilMs || sample.batchSize === previous.batchSize) return
    decisions.push({ atMs: sample.atMs, from: previous.batchSize, to: sample.batchSize, reason: reasonOf(sample) })
  })
  return decisions
}

/** "12.0 s: batch 20 → 30 (latency 40 ms < target: grow)". */
export function describeDecision(decision: Decision): string {
  const because = decision.reason ? ` (${decision.reason})` : ''
  return `${(decision.atMs / 1000).toFixed(1)} s: batch ${decision.from} → ${decision.to}${because}`
}

/**
 * The reason a sample carries, if its controller gave one: a string, or a controller's
 * `DecisionReason` (its `text` for a person, else its `rule` with its `inputs`).
 */
export function reasonOf(sample: SimulationSample): string | undefined {
  const reason = (sample as SimulationSample & { reason?: unknown }).reason
  if (typeof reason === 'string') return reason || undefined
  if (typeof reason !== 'object' || reason === null) return undefined
  const { rule, inputs, text } = reason as { rule?: unknown; inputs?: unknown; text?: unknown }
  if (typeof text === 'string' && text !== '') return text
  const ruleText = typeof rule === 'string' ? rule : undefined
  const inputText = typeof inputs === 'object' && inputs !== null ? Object.entries(inputs).map(([k, v]) => `${k} ${typeof v === 'number' ? +v.toPrecision(3) : String(v)}`).join(', ') : undefined
  return [ruleText, inputText].filter(Boolean).join(': ') || undefined
}
