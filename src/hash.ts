/**
 * A well-mixing 32-bit integer hash (Wellons' lowbias32), unsigned: nearby inputs give
 * unrelated outputs. Shared by the simulator's seeded randomness and `byKey`'s rendezvous
 * weights.
 */
export function mix32(x: number): number {
  x ^= x >>> 16
  x = Math.imul(x, 0x7feb352d)
  x ^= x >>> 15
  x = Math.imul(x, 0x846ca68b)
  x ^= x >>> 16
  return x >>> 0
}
