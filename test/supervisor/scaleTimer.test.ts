import { describe, expect, it } from 'vitest'
import type { Controller } from '../../src/controllers/controller.ts'
import { createSupervisor } from '../../src/supervisor/createSupervisor.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'
import { crash, recordingSink } from './harness.ts'

/**
 * When the scale timer runs (src/supervisor/scaling.ts `wake`): never for a fixed pool; awake
 * while anything is pending or the pool is above `workers.min` (a step held back by the
 * cool-down comes later); asleep once the pool idles at `min`, until the next item. The workers'
 * own timers are off (`maxWaitMs: Infinity`, synchronous flush), so every timer armed on the
 * virtual scheduler is the scale timer's.
 */
function pool(workers: { min: number; max: number; initial?: number }, size = 100, controller?: Controller<null>) {
  const time = createVirtualTime()
  const sink = recordingSink<number>()
  const supervisor = createSupervisor<number>({
    worker: { flush: sink.flush, size, maxWaitMs: Infinity, scheduler: time.scheduler, ...(controller ? { controller } : {}) },
    workers,
    scale: { intervalMs: 100, cooldownMs: 500 },
  })
  const timers = () => time.scheduler.actions.filter((action) => !action.closed).length
  return { time, sink, supervisor, timers }
}

describe('the scale timer', () => {
  it('never runs for a fixed pool', async () => {
    const { supervisor, timers, time } = pool({ min: 2, max: 2 })
    supervisor.addMany([1, 2, 3])
    await supervisor.add(4)
    expect(timers()).toBe(0)
    await time.advanceBy(1000)
    expect(supervisor.metrics()).toMatchObject({ workerCount: 2, itemsBuffered: 4 })
  })

  it('stays awake at workers.min while items are pending, though the load asks for fewer workers', async () => {
    const { supervisor, timers, time } = pool({ min: 1, max: 3 })
    supervisor.tryAdd(1) // buffered, never cut: far below the low water
    await supervisor.add(2) // every route in wakes the timer: still one timer
    expect(timers()).toBe(1)
    await time.advanceBy(1000)
    expect(timers()).toBe(1)
    expect(supervisor.metrics()).toMatchObject({ workerCount: 1, itemsBuffered: 2 })
    await supervisor.flush()
    await time.advanceBy(100) // idle at min: asleep
    expect(timers()).toBe(0)
    supervisor.tryAdd(2) // the run of one batch (roundRobin's default) ended as the timer fell asleep: this item wakes it
    expect(timers()).toBe(1)
  })

  it('stays awake above workers.min through the cool-down, scales down to min, then sleeps until the next item', async () => {
    const { supervisor, timers, time } = pool({ min: 1, max: 3, initial: 3 }, 1)
    expect(timers()).toBe(0) // asleep until the first item
    supervisor.tryAdd(1) // flushed at once (size 1): the pool idles at 3
    await time.advanceBy(100)
    expect(supervisor.metrics().workerCount).toBe(2) // one step; the next waits for the cool-down
    await time.advanceBy(400)
    expect(supervisor.metrics().workerCount).toBe(2)
    expect(timers()).toBe(1)
    await time.advanceBy(100)
    expect(supervisor.metrics().workerCount).toBe(1)
    await time.advanceBy(100)
    expect(timers()).toBe(0)
    supervisor.tryAdd(2)
    expect(timers()).toBe(1)
  })

  it('stays awake at workers.min, idle, while the workers\' load score asks for more', async () => {
    // A controller that scores every feedback sample as heavy load and never moves the target (it decides once an hour).
    const heavy: Controller<null> = { name: 'heavy', intervalMs: 3_600_000, initialState: () => null, score: () => 0.9, decide: ({ target }) => ({ ...target, state: null }) }
    const { supervisor, timers, time } = pool({ min: 1, max: 3 }, 1, heavy)
    supervisor.actor.send({ type: 'FEEDBACK', feedback: { cpu: 0.9 } })
    supervisor.tryAdd(1) // flushed at once: nothing pending
    await time.advanceBy(100)
    expect(supervisor.metrics()).toMatchObject({ workerCount: 2, itemsBuffered: 0 })
    expect(timers()).toBe(1)
  })

  it('is cancelled by stop, with a restart still waiting for its backoff', async () => {
    const { supervisor, timers, time } = pool({ min: 1, max: 3 })
    supervisor.tryAdd(1)
    crash(supervisor.actor.system.get('worker-0')) // a restart is due in 100 ms (the default backoff)
    expect(timers()).toBe(2)
    const stopped = supervisor.stop()
    expect(timers()).toBe(1) // the scale timer went at once; the restart is still due: the crashed worker's item waits for it
    await time.advanceBy(100)
    await stopped
    expect(timers()).toBe(0)
    expect(supervisor.metrics()).toMatchObject({ itemsFlushed: 1, restarts: 1, state: 'stopped' })
  })

  it('is not armed by an item offered after stop', async () => {
    const { supervisor, timers } = pool({ min: 1, max: 3 })
    await supervisor.stop()
    expect(supervisor.tryAdd(1)).toBe(false)
    await expect(supervisor.add(2)).rejects.toThrow()
    expect(timers()).toBe(0)
  })

  it('sleeps at workers.min once idle, also when the load asks for exactly min', async () => {
    const time = createVirtualTime()
    const supervisor = createSupervisor<number>({
      worker: { flush: () => {}, size: 1, maxWaitMs: Infinity, scheduler: time.scheduler },
      workers: { min: 1, max: 3 }, scale: { intervalMs: 100, lowWater: 0 }, // never below the low water: the load asks for as many as now
    })
    supervisor.tryAdd(1)
    await time.advanceBy(100)
    expect(time.scheduler.actions.filter((action) => !action.closed)).toHaveLength(0)
  })
})
