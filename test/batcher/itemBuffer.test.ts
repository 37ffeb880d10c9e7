import { describe, expect, it } from 'vitest'
import type { Ticket } from '../../src/batcher/flight.ts'
import { ItemBuffer } from '../../src/batcher/itemBuffer.ts'

/** The batcher's FIFO buffer (src/batcher/itemBuffer.ts): order, sequence numbers, weights and submit promises. */
const ticket = (): Ticket => ({ resolve: () => {}, reject: () => {} })

describe('item buffer', () => {
  it('takes items in order with their sequence numbers, fewer when fewer are buffered', () => {
    const buffer = new ItemBuffer<string>(false, 64)
    for (const item of ['a', 'b', 'c']) buffer.push(item)
    expect([buffer.length, buffer.headSeq, buffer.tailSeq]).toEqual([3, 0, 3])
    expect(buffer.take(2)).toEqual(['a', 'b'])
    expect([buffer.length, buffer.headSeq, buffer.tailSeq]).toEqual([1, 2, 3])
    expect(buffer.take(5)).toEqual(['c'])
    expect([buffer.length, buffer.headSeq, buffer.tailSeq]).toEqual([0, 3, 3])
    buffer.push('d')
    expect([buffer.take(1), buffer.headSeq]).toEqual([['d'], 4])
  })

  it('keeps every item in order across the compaction of a long-lived buffer', () => {
    const buffer = new ItemBuffer<number>(false, 64)
    let next = 0
    let expected = 0
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 700; i++) buffer.push(next++)
      const taken = buffer.take(600)
      expect(taken).toEqual(Array.from({ length: 600 }, (_, i) => expected + i))
      expected += 600
    }
    expect(buffer.length).toBe(next - expected)
    expect(buffer.take(Infinity)).toEqual(Array.from({ length: next - expected }, (_, i) => expected + i))
  })

  it('sums weights as items come and go, and keeps each item weight at its place', () => {
    const buffer = new ItemBuffer<string>(true, 64)
    buffer.push('a', 0.1)
    buffer.push('b', 0.2)
    buffer.push('c', 3)
    expect([buffer.weighted, buffer.weight, buffer.weightAt(0), buffer.weightAt(2)]).toEqual([true, 0.1 + 0.2 + 3, 0.1, 3])
    buffer.take(1)
    expect([buffer.weight, buffer.weightAt(0), buffer.weightAt(1)]).toEqual([0.1 + 0.2 + 3 - 0.1, 0.2, 3])
    buffer.take(2)
    expect(buffer.weight).toBe(0)
    for (let i = 0; i < 3000; i++) buffer.push('x', i)
    buffer.take(2000)
    expect(buffer.weightAt(0)).toBe(2000)
    buffer.take(999)
    expect(buffer.weightAt(0)).toBe(2999)
  })

  it('counts no weight when unweighted', () => {
    const buffer = new ItemBuffer<string>(false, 64)
    buffer.push('a', 5)
    expect([buffer.weighted, buffer.weight, buffer.weightAt(0)]).toEqual([false, 0, 0])
  })

  it('hands over the submit promises of the items taken, by index within the batch', () => {
    const buffer = new ItemBuffer<string>(false, 64)
    expect(buffer.takeTickets(1)).toBeUndefined()
    const [t1, t3] = [ticket(), ticket()]
    buffer.push('a')
    buffer.push('b', 0, t1)
    buffer.push('c')
    buffer.push('d', 0, t3)
    expect(buffer.takeTickets(1)).toBeUndefined()
    buffer.take(1)
    expect(buffer.takeTickets(2)).toEqual(new Map([[0, t1]]))
    buffer.take(2)
    expect(buffer.takeTickets(1)).toEqual(new Map([[0, t3]]))
    buffer.take(1)
    expect(buffer.takeTickets(1)).toBeUndefined()
  })

  it('hands a whole chunk over as the batch, and later pushes never reach the batch it became', () => {
    const buffer = new ItemBuffer<number>(false, 2)
    buffer.push(0)
    buffer.push(1)
    const batch = buffer.take(2)
    buffer.push(2)
    buffer.push(3)
    buffer.push(4)
    const next = buffer.take(2)
    buffer.push(5)
    expect([batch, next, buffer.take(9)]).toEqual([[0, 1], [2, 3], [4, 5]])
    expect([buffer.length, buffer.headSeq]).toEqual([0, 6])
  })

  it('takes across chunk boundaries from the middle of a chunk, with the weights of the items left', () => {
    const buffer = new ItemBuffer<string>(true, 2)
    ;['a', 'b', 'c', 'd', 'e'].forEach((item, i) => buffer.push(item, i + 1))
    expect([buffer.weightAt(0), buffer.weightAt(2), buffer.weightAt(4), buffer.weightAt(5)]).toEqual([1, 3, 5, 0])
    expect(buffer.take(1)).toEqual(['a'])
    expect([buffer.weight, buffer.weightAt(0), buffer.weightAt(1), buffer.weightAt(3), buffer.weightAt(4)]).toEqual([14, 2, 3, 5, 0])
    expect(buffer.take(3)).toEqual(['b', 'c', 'd'])
    expect([buffer.weight, buffer.weightAt(0), buffer.length]).toEqual([5, 5, 1])
    buffer.chunkSize = 3 // the target batch size changed: new chunks take the new size
    ;['f', 'g', 'h', 'i'].forEach((item) => buffer.push(item, 1))
    expect(buffer.take(4)).toEqual(['e', 'f', 'g', 'h'])
    expect([buffer.weight, buffer.take(4), buffer.weight]).toEqual([1, ['i'], 0])
  })

  it('leaves no float residue in the weight once empty', () => {
    const buffer = new ItemBuffer<string>(true, 64)
    buffer.push('a', 0.1)
    buffer.push('b', 0.2)
    buffer.take(1)
    buffer.take(1)
    expect(buffer.weight).toBe(0)
  })
})
