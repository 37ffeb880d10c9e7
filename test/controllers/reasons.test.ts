import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { aimd, autoTune, gradient, latencyTarget, loadScore } from '../../src/controllers/index.ts'
import { boundsArb, observationArb, runs, targetArb, toWindow, type AnyController } from './properties.ts'

const controllers: [string, () => AnyController][] = [
  ['aimd', () => aimd()],
  ['gradient', () => gradient()],
  ['latencyTarget', () => latencyTarget({ targetMs: 100 })],
  ['loadScore', () => loadScore({ concurrency: true })],
  ['autoTune', () => autoTune()],
]

describe('every built-in controller explains each decision', () => {
  for (const [name, make] of controllers) {
    it(`${name}: the reason names a rule, old → new as decided, finite inputs and a sentence`, () => {
      const scenario = boundsArb.chain((bounds) => fc.tuple(fc.constant(bounds), targetArb(bounds), fc.array(fc.array(observationArb, { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 6 })))
      fc.assert(
        fc.property(scenario, ([bounds, start, windows]) => {
          const controller = make()
          let state = controller.initialState()
          let target = start
          windows.forEach((observations, step) => {
            const decision = controller.decide({ target, samples: toWindow(controller, observations, step), bounds, now: step * 1000 + 999 }, state)
            const reason = decision.reason
            expect(reason, `${name} gave no reason`).toBeDefined()
            expect(reason!.rule).not.toBe('')
            expect(reason!.text).not.toBe('')
            expect(reason!.from).toEqual({ batchSize: target.batchSize, concurrency: target.concurrency })
            expect(reason!.to).toEqual({ batchSize: decision.batchSize, concurrency: decision.concurrency })
            for (const value of Object.values(reason!.inputs)) expect(Number.isFinite(value)).toBe(true)
            state = decision.state
            target = { batchSize: decision.batchSize, concurrency: decision.concurrency }
          })
        }),
        runs,
      )
    })
  }
})
