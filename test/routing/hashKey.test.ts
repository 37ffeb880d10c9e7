import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hashKey } from '../../src/routing/byKey.ts'

describe('hashKey', () => {
  it('hashes a number as its string form, so 1 and "1" share an owner (small integers skip making the string)', () => {
    for (const key of [0, 1, 9, 10, 63, 99, 100, 12_345, 2 ** 31 - 1, 2 ** 31, 2 ** 53, -0, -1, 1.5, NaN, Infinity]) expect(hashKey(key)).toBe(hashKey(String(key)))
    fc.assert(fc.property(fc.oneof(fc.nat(), fc.integer(), fc.double()), (key) => hashKey(key) === hashKey(String(key))))
  })

  it('spreads keys: distinct small integers rarely collide', () => {
    const hashes = new Set(Array.from({ length: 10_000 }, (_, key) => hashKey(key)))
    expect(hashes.size).toBeGreaterThan(9_990)
  })
})
