/** The CLI's `--controller` names, each turned into a controller with the demo's adjust flags. */

import { aimd, autoTune, fixed, gradient, latencyTarget, loadScore, type Controller } from '../controllers/index.ts'

/** The names `--controller` accepts. */
export const controllerNames = ['autoTune', 'aimd', 'loadScore', 'gradient', 'latencyTarget', 'fixed'] as const

/** One of {@link controllerNames}. */
export type ControllerName = (typeof controllerNames)[number]

/** The adjust flags a controller is built with. */
export interface ControllerFlags {
  /** `--adjust-interval`: how often the controller adjusts, in ms. */
  readonly intervalMs: number
  /** `--adjust-factor`: loadScore's step as a share of the size (the Go demo's factor). */
  readonly factor: number
  /** `--target-latency`: latencyTarget's goal, in ms. */
  readonly targetMs: number
}

/**
 * The controller called `name`. `autoTune` (the library's default for a range) adjusts once
 * per epoch of completed flushes, so `intervalMs` does not apply to it; every other one
 * adjusts every `intervalMs`. `factor` is loadScore's step (aimd keeps its own additive
 * increase and halving, gradient its own smoothing), and `targetMs` is latencyTarget's goal.
 */
export function controllerByName(name: ControllerName, flags: ControllerFlags): Controller<any> {
  switch (name) {
    case 'autoTune': return autoTune()
    case 'aimd': return aimd({ intervalMs: flags.intervalMs })
    case 'loadScore': return loadScore({ intervalMs: flags.intervalMs, factor: flags.factor })
    case 'gradient': return gradient({ intervalMs: flags.intervalMs })
    case 'latencyTarget': return latencyTarget({ targetMs: flags.targetMs, intervalMs: flags.intervalMs })
    case 'fixed': return fixed({ intervalMs: flags.intervalMs })
  }
}
