/**
 * Drives every controller through one scripted load curve, purely through `decide()`, and
 * prints a markdown table of the batch size at each step.
 *
 * The curve: 30 adjustments of background load on a backend, low (0.1) for 8 steps, ramping
 * to overload (1.0) over 10, held for 4, and back down over 8. The backend answers each
 * window of 10 flushes from its utilisation, background plus what the batcher itself sends
 * (bigger batches and more concurrency load it more): latency grows with the batch size and
 * climbs steeply as utilisation nears 1; queue depth, lock waits and errors appear past 0.6,
 * 0.8 and 0.9; past 1, one flush in three fails. Deterministic: no clock, no randomness.
 *
 * Run: node --import tsx bench/controllers-table.ts
 */
import { aimd } from '../src/controllers/aimd.ts'
import type { ControlTarget, Controller, FeedbackSample } from '../src/controllers/controller.ts'
import { fixed } from '../src/controllers/fixed.ts'
import { gradient } from '../src/controllers/gradient.ts'
import { latencyTarget } from '../src/controllers/latencyTarget.ts'
import { loadScore } from '../src/controllers/loadScore.ts'
import { scoreLoad } from '../src/feedback.ts'
import type { LoadFeedback } from '../src/feedback.ts'

const STEPS = 30
const FLUSHES_PER_STEP = 10
const bounds = { size: { min: 10, max: 1000 }, concurrency: { min: 1, max: 4 } }
const start: ControlTarget = { batchSize: 100, concurrency: 2 }

/** Background load at step `step`: low, ramp up, overload, ramp down. */
function backgroundLoad(step: number): number {
  if (step < 8) return 0.1
  if (step < 18) return 0.1 + ((step - 7) * 0.9) / 10
  if (step < 22) return 1
  return 1 - ((step - 21) * 0.9) / 8
}

/** What the backend reports for one flush of `target.batchSize` items under `load`. */
function respond(load: number, target: ControlTarget, flush: number): { feedback: LoadFeedback; failed: boolean } {
  const utilisation = load + (target.batchSize * target.concurrency) / 4000
  const jitter = 1 + 0.05 * Math.sin(flush * 1.7)
  const latencyMs = ((5 + 0.2 * target.batchSize) / Math.max(0.05, 1 - Math.min(utilisation, 0.95))) * jitter
  const feedback: LoadFeedback = {
    cpu: Math.min(1, utilisation),
    errorRate: Math.min(1, Math.max(0, utilisation - 0.9) * 2),
    queueDepth: Math.max(0, utilisation - 0.6) * 250,
    locks: Math.max(0, utilisation - 0.8) * 100,
    latencyMs,
  }
  return { feedback, failed: utilisation > 1 && flush % 3 === 0 }
}

interface Run {
  readonly label: string
  readonly showConcurrency: boolean
  readonly controller: Controller<any>
}

const runs: Run[] = [
  { label: 'fixed()', showConcurrency: false, controller: fixed() },
  { label: 'loadScore()', showConcurrency: false, controller: loadScore() },
  { label: 'loadScore({ concurrency: true })', showConcurrency: true, controller: loadScore({ concurrency: true }) },
  { label: 'aimd()', showConcurrency: false, controller: aimd() },
  { label: 'gradient()', showConcurrency: false, controller: gradient() },
  { label: 'latencyTarget({ targetMs: 250 })', showConcurrency: false, controller: latencyTarget({ targetMs: 250 }) },
]

/** Each run's cells, one per step: the target in force during that step's flushes. */
function simulate({ controller, showConcurrency }: Run): string[] {
  const cells: string[] = []
  let target = start
  let state = controller.initialState()
  for (let step = 0; step < STEPS; step++) {
    cells.push(showConcurrency ? `${target.batchSize} ×${target.concurrency}` : String(target.batchSize))
    const load = backgroundLoad(step)
    const samples: FeedbackSample[] = Array.from({ length: FLUSHES_PER_STEP }, (_, i) => {
      const { feedback, failed } = respond(load, target, step * FLUSHES_PER_STEP + i)
      const score = controller.score ? controller.score(feedback) : scoreLoad(feedback)
      return { at: step * 1000 + i * 100, feedback, score, source: 'flush', failed, batchSize: target.batchSize }
    })
    const decision = controller.decide({ target, samples, bounds, now: step * 1000 + 999 }, state)
    state = decision.state
    target = { batchSize: decision.batchSize, concurrency: decision.concurrency }
  }
  return cells
}

const columns = runs.map(simulate)
const header = ['step', 'load', ...runs.map((run) => run.label)]
const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---:').join('|')}|`]
for (let step = 0; step < STEPS; step++) {
  lines.push(`| ${[String(step), backgroundLoad(step).toFixed(2), ...columns.map((cells) => cells[step] ?? '')].join(' | ')} |`)
}
console.log(`Batch size at each adjustment (bounds ${bounds.size.min}..${bounds.size.max}, start ${start.batchSize}, concurrency ${start.concurrency}):\n`)
console.log(lines.join('\n'))
