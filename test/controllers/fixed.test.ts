import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fixed } from '../../src/controllers/fixed.ts'
import { checkKeepsBounds, checkMonotone, sample, wide } from './properties.ts'

describe('fixed', () => {
  it('keeps size and concurrency whatever the feedback', () => {
    const decision = fixed().decide({ target: { batchSize: 40, concurrency: 3 }, samples: [sample({ cpu: 1 }, { failed: true })], bounds: wide, now: 0 }, null)
    expect(decision).toEqual({ batchSize: 40, concurrency: 3, state: null })
  })

  describe('properties', () => {
    const controllers = fc.integer({ min: 1, max: 10_000 }).map((intervalMs) => fixed({ intervalMs }))

    // fixed hands back the target it was given, so only an in-bounds target keeps it in bounds
    it('never leaves the bounds of an in-bounds target, whatever the feedback', () => checkKeepsBounds(controllers, { wildTargets: false }))

    it('never gives a larger size for more load from the same state', () => checkMonotone(controllers))
  })
})
