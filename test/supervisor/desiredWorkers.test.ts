import { describe, expect, it } from 'vitest'
import { desiredWorkers } from '../../src/supervisor/scaling.ts'
import type { Slot } from '../../src/supervisor/slot.ts'

/**
 * The worker count the load asks for (src/supervisor/scaling.ts `desiredWorkers`): one more
 * above the high water or the high score, one fewer below both low marks, else as many.
 * Depth is items per worker as a share of one worker's capacity; the score is the live
 * workers' mean (a slot without a live worker adds its held items, not a score).
 */
const scale = { intervalMs: 1000, cooldownMs: 0, highWater: 0.5, lowWater: 0.1, highScore: 0.7, lowScore: 0.3 }

function slot(load: number, loadScore?: number): Slot<number> {
  const port = loadScore === undefined ? undefined : { metrics: () => ({ loadScore }) }
  return { load: () => load, port } as unknown as Slot<number>
}

describe('desiredWorkers', () => {
  it.each([
    ['depth above the high water', [slot(60, 0.5), slot(50, 0.5)], 3],
    ['depth exactly at the high water', [slot(50, 0.5), slot(50, 0.5)], 2],
    ['mean score above the high score', [slot(20, 0.8), slot(20, 0.7)], 3],
    ['mean score exactly at the high score', [slot(20, 0.7), slot(20, 0.7)], 2],
    ['both low marks undercut', [slot(5, 0.1), slot(5, 0.2)], 1],
    ['depth exactly at the low water', [slot(10, 0.1), slot(10, 0.1)], 2],
    ['score exactly at the low score', [slot(5, 0.3), slot(5, 0.3)], 2],
    ['low depth but a middling score', [slot(5, 0.5), slot(5, 0.5)], 2],
    ['a low score but middling depth', [slot(30, 0.1), slot(30, 0.1)], 2],
  ] as const)('%s', (_what, routeSet, desired) => {
    expect(desiredWorkers([...routeSet], scale, 100)).toBe(desired)
  })

  it('averages the score over live workers only, and counts a restarting slot held items in the depth', () => {
    // Held 60 + 50 over 2 slots of capacity 100: depth 0.55, above the high water.
    expect(desiredWorkers([slot(60), slot(50, 0)], scale, 100)).toBe(3)
    // One live worker at 0.8 among a restarting slot: the mean is 0.8, not 0.4.
    expect(desiredWorkers([slot(0), slot(0, 0.8)], scale, 100)).toBe(3)
    // No live worker: the score counts as 0, and an empty pool asks for one fewer.
    expect(desiredWorkers([slot(0), slot(0)], scale, 100)).toBe(1)
  })
})
