import type { VirtualTime } from '../../src/virtualTime.ts'

/** Resolves after `ms` of virtual time. */
export function sleep(time: VirtualTime, ms: number): Promise<void> {
  return new Promise((resolve) => time.scheduler.schedule(() => resolve(), ms))
}

/**
 * Drives virtual time forward in `stepMs` steps until `promise` settles (at most `limitMs`),
 * and returns its outcome. Fails loudly if it never settles: every promise must settle.
 */
export async function settleWithin<V>(time: VirtualTime, promise: Promise<V>, limitMs = 60_000, stepMs = 10): Promise<V> {
  let settled = false
  const tracked = promise.finally(() => (settled = true))
  tracked.catch(() => {})
  for (let elapsed = 0; !settled && elapsed <= limitMs; elapsed += stepMs) await time.advanceBy(stepMs)
  await time.settle()
  if (!settled) throw new Error(`did not settle within ${limitMs} ms of virtual time`)
  return tracked
}
