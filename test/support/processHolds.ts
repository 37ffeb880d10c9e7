import { vi } from 'vitest'

/** The delay of the idle interval a ProcessHold keeps ref'd (src/scheduler.ts). */
const HOLD_DELAY_MS = 2 ** 31 - 1

/**
 * Counts the process holds alive (src/scheduler.ts ProcessHold: one ref'd idle interval while
 * some owner holds accepted items), by stubbing setInterval and clearInterval. Restore with
 * `vi.restoreAllMocks()` after each test.
 */
export function processHolds(): () => number {
  const live = new Set<unknown>()
  vi.spyOn(globalThis, 'setInterval').mockImplementation(((_: () => void, delay: number) => {
    const handle = { delay }
    if (delay === HOLD_DELAY_MS) live.add(handle)
    return handle
  }) as never)
  vi.spyOn(globalThis, 'clearInterval').mockImplementation(((handle: unknown) => void live.delete(handle)) as never)
  return () => live.size
}
