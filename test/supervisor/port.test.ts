import { describe, expect, it } from 'vitest'
import { createSupervisor } from '../../src/supervisor/createSupervisor.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'

/** The supervisor's port (src/supervisor/supervisorPort.ts) and creation: stop once, state after an outside stop, inspection. */
function pool(inspect?: (event: { type: string }) => void) {
  const time = createVirtualTime()
  const flushed: number[] = []
  const supervisor = createSupervisor<number>({
    worker: { flush: (batch) => void flushed.push(...batch), size: 10, maxWaitMs: 1e9, scheduler: time.scheduler },
    workers: { min: 2 }, ...(inspect ? { inspect } : {}),
  })
  return { time, flushed, supervisor }
}

describe('supervisor port', () => {
  it('stop() is idempotent: one drain, the same promise', async () => {
    const { supervisor, flushed } = pool()
    supervisor.addMany([1, 2, 3])
    const first = supervisor.stop()
    expect(supervisor.stop()).toBe(first)
    await first
    expect(flushed.sort()).toEqual([1, 2, 3])
    expect([supervisor.state, supervisor.metrics().state]).toEqual(['stopped', 'stopped'])
  })

  it('says stopped after its actor was stopped from outside, and stop() then settles at once', async () => {
    const { supervisor } = pool()
    supervisor.actor.stop()
    expect([supervisor.state, supervisor.metrics().state]).toEqual(['stopped', 'stopped'])
    await expect(supervisor.stop()).resolves.toBeUndefined()
  })

  it('reports its state while running, and its routing set', () => {
    const { supervisor } = pool()
    expect([supervisor.state, supervisor.metrics().state, supervisor.metrics().workerCount, supervisor.capacity]).toEqual(['running', 'running', 2, 2 * 100])
    expect(supervisor.metrics().workers.map((worker) => worker.id)).toEqual(['worker-0', 'worker-1'])
  })

  it('lets an inspector see the supervisor and its workers', () => {
    const seen = new Set<string>()
    pool((event) => void seen.add(event.type))
    expect(seen).toContain('@xstate.actor')
    expect(seen).toContain('@xstate.snapshot')
  })
})
