import { describe, expect, it } from 'vitest'
import type { Router } from '../../src/routing/router.ts'
import { createSupervisor } from '../../src/supervisor/createSupervisor.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'
import { crash, recordingSink } from './harness.ts'

/**
 * Where a run ends (src/supervisor/routeRun.ts, supervisorRuntime.ts): when a restarted worker
 * attaches to its slot, and when workers are added or retired; a keyed router asks for every item whatever
 * its `run`. A counting router shows when the supervisor asks it.
 */
function counting(run: number | 'batch', keyed = false) {
  const picks: number[] = []
  const router: Router<number> = { name: 'counting', run, keyed, pick: (item, _key, workers) => (picks.push(item), item % workers.length) }
  return { router, picks }
}

function pool(router: Router<number>, workers: { min: number; max?: number; initial?: number } = { min: 1 }, water = { highWater: 0.01, lowWater: 0 }) {
  const time = createVirtualTime()
  const sink = recordingSink<number>()
  const supervisor = createSupervisor<number>({
    worker: { flush: sink.flush, size: 4, maxWaitMs: 1e9, scheduler: time.scheduler },
    workers, route: router,
    restart: { backoffMs: 50 },
    scale: { intervalMs: 100, cooldownMs: 0, ...water },
  })
  return { time, sink, supervisor }
}

describe('runs of a router', () => {
  it('end when a restarted worker attaches: the next item goes to it, not to the crashed one', async () => {
    const { router, picks } = counting(10)
    const { supervisor, time, sink } = pool(router)
    supervisor.tryAdd(0) // starts a run of 10 on worker-0
    crash(supervisor.actor.system.get('worker-0'))
    supervisor.tryAdd(1) // held: the slot holds items back, so the router is asked again
    await time.advanceBy(50)
    expect(supervisor.state).toBe('running')
    expect(supervisor.tryAdd(2)).toBe(true)
    expect(supervisor.tryAdd(3)).toBe(true)
    expect(picks).toEqual([0, 1, 2])
    await supervisor.stop()
    expect(sink.flushed.toSorted()).toEqual([0, 1, 2, 3])
  })

  it('end when a worker is added', async () => {
    const { router, picks } = counting(100)
    const { supervisor, time } = pool(router, { min: 1, max: 2 })
    supervisor.addMany([0, 1, 2, 3, 5]) // one run: one pick
    expect(picks).toEqual([0])
    await time.advanceBy(100) // a second worker
    expect(supervisor.metrics().workers.map((worker) => worker.id)).toEqual(['worker-0', 'worker-1'])
    supervisor.tryAdd(7)
    expect(picks).toEqual([0, 7])
    expect(supervisor.metrics().workers.map((worker) => worker.itemsBuffered)).toEqual([1, 1])
  })

  it('end when a worker is retired', async () => {
    const { router, picks } = counting(100)
    const { supervisor, time } = pool(router, { min: 1, max: 2, initial: 2 }, { highWater: 0.9, lowWater: 0.5 })
    supervisor.tryAdd(1) // a run on worker-1
    await time.advanceBy(100) // idle: worker-1 retires
    expect(supervisor.metrics().workerCount).toBe(1)
    expect(supervisor.tryAdd(3)).toBe(true) // to worker-0, the only one left
    expect(picks).toEqual([1, 3])
    expect(supervisor.metrics()).toMatchObject({ itemsDropped: 0, workers: [{ id: 'worker-0', itemsBuffered: 1 }] })
  })

  it('are one item long for a keyed router', () => {
    const { router, picks } = counting(10, true)
    const { supervisor } = pool(router, { min: 2 })
    supervisor.addMany([0, 1, 2, 3])
    expect(picks).toEqual([0, 1, 2, 3])
    expect(supervisor.metrics().workers.map((worker) => worker.itemsBuffered)).toEqual([2, 2])
  })

  it("are one worker batch long for 'batch'", () => {
    const { router, picks } = counting('batch')
    const { supervisor } = pool(router, { min: 2 })
    supervisor.addMany([0, 1, 2, 3, 4, 5, 6, 7, 8])
    expect(picks).toEqual([0, 4, 8])
  })
})
