import { describe, expect, it } from 'vitest'
import { failedIndexes } from '../../src/batcher/flushFunction.ts'
import { PartialBatchError } from '../../src/errors.ts'

/** Which items of a batch of 4 a PartialBatchError names (src/batcher/flushFunction.ts): distinct valid indexes, else none (retry all). */
const partial = (...indexes: number[]) => new PartialBatchError(indexes.map((index) => ({ index, cause: new Error('x') })))

describe('failedIndexes', () => {
  it.each([
    ['the first and the last item', partial(0, 3), [0, 3]],
    ['an index twice, once', partial(2, 2), [2]],
  ] as const)('names %s', (_what, error, indexes) => {
    expect(failedIndexes(error, 4)).toEqual(new Set(indexes))
  })

  it.each([
    ['no index', partial()],
    ['an index past the batch', partial(1, 4)],
    ['a negative index', partial(-1)],
    ['a fractional index', partial(1.5)],
    ['a NaN index', partial(NaN)],
  ] as const)('names none (the whole batch is retried) for %s', (_what, error) => {
    expect(failedIndexes(error, 4)).toBeUndefined()
  })

  it('names none when reading the failures throws', () => {
    const error = partial(1)
    Object.defineProperty(error, 'failures', { get: () => { throw new Error('broken') } })
    expect(failedIndexes(error, 4)).toBeUndefined()
  })
})
