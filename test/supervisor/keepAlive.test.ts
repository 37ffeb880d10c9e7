import { afterEach, describe, expect, it, vi } from 'vitest'
import { processHolds } from '../support/processHolds.ts'
import { createSupervisor } from '../../src/supervisor/createSupervisor.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'
import { crash } from './harness.ts'

/**
 * keepAlive on a supervisor: it holds the process (one ref'd idle interval, src/scheduler.ts
 * ProcessHold) exactly while it holds accepted items for a restarting worker, and lets go once
 * they were handed over or dead-lettered. Observed through the interval it creates and clears.
 */
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
