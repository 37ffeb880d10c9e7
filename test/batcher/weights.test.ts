/** Issue 10 item 9: `maxBatchWeight` is a hard ceiling; a weight that is no finite number >= 0 refuses its item. */
import { describe, expect, it } from 'vitest'
import { createBatcher, createVirtualTime, InvalidWeightError } from '../../src/index.ts'

function weighed(weights: Map<number, number>) {
  const time = createVirtualTime()
  const written: number[][] = []
  const batcher = createBatcher<number>({
    flush: (batch) => void written.push(batch), size: 100, maxBatchWeight: 10, maxWaitMs: 1000, scheduler: time.scheduler,
    weigh: (item) => weights.get(item) ?? 5,
  })
  return { time, written, batcher }
}

describe('item weights', () => {
  for (const bad of [NaN, Infinity, -Infinity, -1]) {
    it(`refuses an item weighing ${bad}: tryAdd false, counted as dropped`, () => {
      const { batcher } = weighed(new Map([[2, bad]]))
      expect(batcher.tryAdd(1)).toBe(true)
      expect(batcher.tryAdd(2)).toBe(false)
      expect(batcher.metrics()).toMatchObject({ itemsAdded: 1, itemsDropped: 1, itemsBuffered: 1 })
    })
  }

  it('add and submit reject with InvalidWeightError naming the weight', async () => {
    const { batcher } = weighed(new Map([[2, NaN]]))
    await expect(batcher.add(2)).rejects.toBeInstanceOf(InvalidWeightError)
    await expect(batcher.submit(2)).rejects.toMatchObject({ name: 'InvalidWeightError', weight: NaN })
    expect(batcher.metrics().itemsAdded).toBe(0)
  })

  it('a NaN weight between finite ones never lets a batch past the ceiling', async () => {
    const { time, written, batcher } = weighed(new Map([[2, NaN]]))
    for (const item of [1, 2, 3, 4, 5, 6]) batcher.tryAdd(item)
    await time.advanceBy(1000)
    expect(written).toEqual([[1, 3], [4, 5], [6]])
  })

  it('the weight trigger keeps firing after an Infinity weight was offered', async () => {
    const { time, written, batcher } = weighed(new Map([[1, Infinity]]))
    batcher.tryAdd(1)
    batcher.addMany([2, 3])
    await time.settle()
    expect(written).toEqual([[2, 3]])
    batcher.addMany([4, 5])
    await time.settle()
    expect(written).toEqual([[2, 3], [4, 5]])
  })

  it('an item weighing exactly the ceiling is not oversized, and a weightless item still joins it', async () => {
    const { time, written, batcher } = weighed(new Map([[1, 0], [2, 10], [3, 0]]))
    batcher.addMany([1, 2])
    batcher.addMany([3])
    await time.advanceBy(1000)
    expect(written).toEqual([[1, 2], [3]])
    expect(batcher.metrics().oversizedItems).toBe(0)
  })

  it('an item heavier than the ceiling goes alone and is counted', async () => {
    const { time, written, batcher } = weighed(new Map([[2, 25]]))
    batcher.addMany([1, 2, 3])
    await time.advanceBy(1000)
    expect(written).toEqual([[1], [2], [3]])
    expect(batcher.metrics().oversizedItems).toBe(1)
  })
})
