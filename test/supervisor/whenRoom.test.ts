import { describe, expect, it } from 'vitest'
import { leastLoaded } from '../../src/routing/leastLoaded.ts'
import { createSupervisor } from '../../src/supervisor/createSupervisor.ts'
import type { SupervisorPort } from '../../src/supervisor/supervisorPort.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'
import { crash, recordingSink } from './harness.ts'

/**
 * Room in a supervisor's workers, as a parent or a router sees it (src/supervisor/workerPool.ts
 * `whenRoom`, src/supervisor/slot.ts `load`): `whenRoom()` resolves once some worker has room;
 * an `add` to a full worker waits for it (and honours its signal there); a slot's load counts
 * the items it holds for a restarting worker.
 */
function pool(options: { min?: number } = {}) {
  const time = createVirtualTime()
  const sink = recordingSink<number>({ gated: true })
  const supervisor = createSupervisor<number>({
    worker: { flush: sink.flush, size: 2, capacity: 2, maxWaitMs: 1e9, scheduler: time.scheduler },
    workers: { min: options.min ?? 2 }, route: leastLoaded(), restart: { backoffMs: 50 },
  })
  return { time, sink, supervisor: supervisor as typeof supervisor & SupervisorPort<number> }
}

describe('room in a supervisor', () => {
  it('whenRoom() resolves at once while some worker has room, else once one has', async () => {
    const { supervisor, sink, time } = pool()
    supervisor.addMany([0, 1])
    await expect(supervisor.whenRoom()).resolves.toBeUndefined() // worker-1 is empty
    supervisor.addMany([2, 3])
    let room = false
    void supervisor.whenRoom().then(() => (room = true))
    await time.advanceBy(1)
    expect(room).toBe(false)
    sink.open()
    await time.advanceBy(1)
    expect(room).toBe(true)
  })

  it('whenRoom() resolves at once when no worker is live to wait for', async () => {
    const { supervisor } = pool({ min: 1 })
    supervisor.addMany([0, 1])
    crash(supervisor.actor.system.get('worker-0'))
    await expect(supervisor.whenRoom()).resolves.toBeUndefined()
  })

  it('an add to a full worker waits in it for room; an add or submit waiting there rejects when its signal aborts', async () => {
    const { supervisor, sink, time } = pool({ min: 1 })
    supervisor.addMany([0, 1])
    let added = false
    const adding = supervisor.add(2).then(() => (added = true))
    const controller = new AbortController()
    const aborted = supervisor.add(3, { signal: controller.signal }).then(() => 'accepted', (error: unknown) => (error as Error).name)
    const abortedSubmit = supervisor.submit(4, { signal: controller.signal }).then(() => 'accepted', (error: unknown) => (error as Error).name)
    await time.advanceBy(1)
    expect([added, supervisor.metrics().itemsHeld]).toEqual([false, 0])
    controller.abort('gave up')
    expect([await aborted, await abortedSubmit]).toEqual(['AbortError', 'AbortError'])
    sink.open()
    await adding
    expect(supervisor.metrics()).toMatchObject({ itemsAdded: 3, itemsBuffered: 1, itemsHeld: 0 })
  })

  it('counts the items a slot holds for its restarting worker in its load', () => {
    const { supervisor } = pool()
    supervisor.addMany([0, 1, 2]) // leastLoaded: worker-0 gets 0 and 2, worker-1 gets 1
    crash(supervisor.actor.system.get('worker-0')) // 0 and 2 held for its replacement: load 2
    supervisor.tryAdd(3) // to worker-1 (load 1)
    expect(supervisor.metrics()).toMatchObject({ itemsHeld: 2, workers: [{ id: 'worker-1', itemsBuffered: 0, itemsInFlight: 2 }] })
  })
})
