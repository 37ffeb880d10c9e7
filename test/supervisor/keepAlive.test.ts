import { afterEach, describe, expect, it, vi } from 'vitest'
import { createSupervisor } from '../../src/supervisor/createSupervisor.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'
import { crash } from './harness.ts'

/**
 * keepAlive on a supervisor: it holds the process (one ref'd idle interval, src/scheduler.ts
 * ProcessHold) exactly while it holds accepted items for a restarting worker, and lets go once
 * they were handed over or dead-lettered. Observed through the interval it creates and clears.
 */
const HOLD_DELAY_MS = 2 ** 31 - 1

function processHolds() {
  const live = new Set<unknown>()
  const set = vi.spyOn(globalThis, 'setInterval')
  const clear = vi.spyOn(globalThis, 'clearInterval')
  set.mockImplementation(((_: () => void, delay: number) => {
    const handle = { delay }
    if (delay === HOLD_DELAY_MS) live.add(handle)
    return handle
  }) as never)
  clear.mockImplementation(((handle: unknown) => void live.delete(handle)) as never)
  return () => live.size
}

afterEach(() => vi.restoreAllMocks())

describe('supervisor keepAlive', () => {
  it('holds the process while it holds items for a restarting worker, and lets go once they were handed over', async () => {
    const holds = processHolds()
    const time = createVirtualTime()
    const pool = createSupervisor<number>({
      worker: { flush: () => {}, size: 10, maxWaitMs: 1e9, scheduler: time.scheduler, keepAlive: false },
      restart: { backoffMs: 50 }, keepAlive: true,
    })
    crash(pool.actor.system.get('worker-0'))
    expect(holds()).toBe(0)
    pool.tryAdd(1)
    expect(holds()).toBe(1)
    await time.advanceBy(50)
    expect(pool.metrics().itemsHeld).toBe(0)
    expect(holds()).toBe(0)
    await pool.stop()
  })

  it('lets go when the items it held are dead-lettered on escalation', async () => {
    const holds = processHolds()
    const time = createVirtualTime()
    const pool = createSupervisor<number>({
      worker: { flush: () => {}, size: 10, maxWaitMs: 1e9, scheduler: time.scheduler, keepAlive: false, onDeadLetter: () => {} },
      restart: { maxRestarts: 1, backoffMs: 50 }, keepAlive: true,
    })
    crash(pool.actor.system.get('worker-0'))
    pool.tryAdd(1)
    expect(holds()).toBe(1)
    await time.advanceBy(50)
    crash(pool.actor.system.get('worker-0'))
    pool.tryAdd(2)
    await pool.stop().catch(() => {})
    expect(pool.state).toBe('failed')
    expect(holds()).toBe(0)
  })

  it('never holds the process with keepAlive false', async () => {
    const holds = processHolds()
    const time = createVirtualTime()
    const pool = createSupervisor<number>({ worker: { flush: () => {}, size: 10, maxWaitMs: 1e9, scheduler: time.scheduler }, restart: { backoffMs: 50 } })
    crash(pool.actor.system.get('worker-0'))
    pool.tryAdd(1)
    expect(holds()).toBe(0)
    await time.advanceBy(50)
    await pool.stop()
  })
})
