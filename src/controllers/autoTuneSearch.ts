/** The search step of {@link autoTune}: which trial move it makes next from its reference. */
import type { ControllerDecision, ControllerInput } from './controller.ts'
import type { AutoTuneState } from './autoTuneState.ts'
import { clampSetting, other, sameRounded, stepped, type Dimension, type Setting } from './setting.ts'

/** Puts a setting in force with the given memory changes (autoTune's `move`). */
export type Move = (rule: string, next: Setting, changes: Partial<AutoTuneState>, text: string) => ControllerDecision<AutoTuneState>
/** Holds the target with a rule and its text (autoTune's `hold`). */
export type Hold = (rule: string, text: string) => ControllerDecision<AutoTuneState>

/** A trial move from `state.reference` along the search: this dimension and way, else the other way, else the other dimension; settles when every way is blocked. */
export function propose(state: AutoTuneState, bounds: ControllerInput['bounds'], rule: string, text: string, move: Move, hold: Hold): ControllerDecision<AutoTuneState> {
  const base = state.reference!.setting
  const all: Dimension[] = state.dimension === 'both' ? ['both', 'size', 'concurrency', 'split'] : [state.dimension, other(state.dimension), other(other(state.dimension))]
  // With the size pinned, a split is a concurrency move under another name: a second trial of the same thing.
  const order = bounds.size.min === bounds.size.max ? all.filter((d) => d !== 'split') : all
  const tries: [Dimension, 1 | -1][] = [
    ...order.map((d): [Dimension, 1 | -1] => [d, state.direction[d]]),
    ...order.map((d): [Dimension, 1 | -1] => [d, (-state.direction[d]) as 1 | -1]),
  ]
  for (const [dimension, direction] of tries) {
    const step = stepped(base, dimension, direction, state.step[dimension])
    // Starting with the size unable to grow (pinned, or at its bound), the concurrency takes the size's step while latency stays flat.
    const next = dimension === 'both' && clampSetting(step, bounds).size <= base.size ? stepped(base, 'concurrency', direction, Math.max(Math.SQRT2, Math.min(2, state.step.both))) : step
    const clamped = clampSetting(next, bounds)
    // A concurrency ceiling bounds the items in flight: a split that keeps them (more, smaller batches) passes it.
    const keepsInFlight = dimension === 'split' && clamped.size * next.concurrency <= 1.01 * base.size * base.concurrency
    const blocked = (next.size > base.size && next.size >= state.overloadAt.size) || (next.concurrency > base.concurrency && next.concurrency >= state.overloadAt.concurrency && !keepsInFlight)
    const same = sameRounded(clamped, base, bounds)
    if (!blocked && !same) {
      return move(rule, next, { ...state, trial: true, dimension, direction: { ...state.direction, [dimension]: direction } }, `${text}; ${dimension} ${direction > 0 ? 'up' : 'down'} ×${state.step[dimension].toFixed(2)}`)
    }
  }
  return hold('settled', `${text}; every step is blocked by bounds or an overload ceiling: settled`)
}
