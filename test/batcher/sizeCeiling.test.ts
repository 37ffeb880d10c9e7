import { describe, expect, it } from 'vitest'
import type { Bounds, ControlTarget } from '../../src/controllers/controller.ts'
import { feedbackWindow } from '../support/feedbackWindow.ts'

/**
 * The size ceiling `tooLarge` errors teach (src/batcher/feedbackWindow.ts): the target shrinks to
 * it when above (and says so), and the controller's size bounds end at it from then on.
 */
function ceilingWindow(min = 1) {
  const bounds: Bounds[] = []
  const decide = ({ target, bounds: given }: { target: ControlTarget; bounds: { size: Bounds } }) => (bounds.push(given.size), { ...target, state: null })
  const probe = feedbackWindow({ decide }, { size: { initial: 8, min, max: 10 } })
  const boundsNow = () => {
    probe.window.record(undefined, 'flush')
    probe.window.adjust()
    return bounds.at(-1)
  }
  return { ...probe, boundsNow }
}

describe('the size ceiling', () => {
  it('shrinks a larger target to it, and says so', () => {
    const { window } = ceilingWindow()
    expect(window.lowerCeiling(5)).toBe(true)
    expect(window.target.batchSize).toBe(5)
  })

  it('leaves a target at or under it alone, and says so', () => {
    const { window } = ceilingWindow()
    expect(window.lowerCeiling(8)).toBe(false)
    expect(window.lowerCeiling(9)).toBe(false)
    expect(window.target.batchSize).toBe(8)
  })

  it('ends the bounds the controller is shown, from their own max while none was taught', () => {
    const { window, boundsNow } = ceilingWindow()
    expect(boundsNow()).toEqual({ initial: 8, min: 1, max: 10 })
    window.lowerCeiling(5)
    expect(boundsNow()).toEqual({ initial: 8, min: 1, max: 5 })
  })

  it('takes the minimum down with it when it falls below', () => {
    const { window, boundsNow } = ceilingWindow(4)
    window.lowerCeiling(2)
    expect(boundsNow()).toEqual({ initial: 8, min: 2, max: 2 })
  })
})
