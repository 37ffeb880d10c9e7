import { describe, expect, it } from 'vitest'
import { createSupervisor } from '../../src/supervisor/createSupervisor.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'
import { crash } from './harness.ts'

/**
 * One-for-one restarts (src/supervisor/workerPool.ts): the backoff doubles with each crash
 * inside the window up to its ceiling, crashed workers are replaced oldest first under their own
 * slot name, and the restart count is what metrics report.
 */
function pool(min = 1) {
  const time = createVirtualTime()
  const supervisor = createSupervisor<number>({
    worker: { flush: () => {}, size: 10, maxWaitMs: 1e9, scheduler: time.scheduler },
    workers: { min }, restart: { maxRestarts: 5, withinMs: 100_000, backoffMs: 10, maxBackoffMs: 30 },
  })
  const crashWorker = (id: string) => crash(supervisor.actor.system.get(id))
  return { time, supervisor, crash: crashWorker }
}

/** Moves time 1 ms at a time until the pool runs again; returns how long it took. */
async function restartTime(time: ReturnType<typeof createVirtualTime>, supervisor: { readonly state: string }): Promise<number> {
  let waited = 0
  while (supervisor.state === 'restarting' && waited < 1000) {
    await time.advanceBy(1)
    waited++
  }
  return waited
}

describe('supervisor restarts', () => {
  it('waits backoffMs, doubling with each crash in the window, up to maxBackoffMs', async () => {
    const { supervisor, time, crash } = pool()
    const waits: number[] = []
    for (let i = 0; i < 4; i++) {
      crash('worker-0')
      waits.push(await restartTime(time, supervisor))
    }
    expect(waits).toEqual([10, 20, 30, 30])
    expect(supervisor.metrics().restarts).toBe(4)
  })

  it('replaces crashed workers oldest first, each under its own name', async () => {
    const { supervisor, time, crash } = pool(3)
    const before = ['worker-0', 'worker-1', 'worker-2'].map((id) => supervisor.actor.system.get(id))
    crash('worker-2')
    crash('worker-0')
    await time.advanceBy(10)
    expect(supervisor.actor.system.get('worker-2')).toBeDefined()
    expect(supervisor.actor.system.get('worker-2')).not.toBe(before[2])
    expect(supervisor.actor.system.get('worker-0')).toBeUndefined() // crashed, its restart not due yet
    expect(supervisor.metrics().restarts).toBe(1)
    await time.advanceBy(20)
    expect(supervisor.actor.system.get('worker-0')).toBeDefined()
    expect(supervisor.actor.system.get('worker-0')).not.toBe(before[0])
    expect(supervisor.actor.system.get('worker-1')).toBe(before[1])
    expect([supervisor.state, supervisor.metrics().restarts, supervisor.metrics().workers.map((worker) => worker.id).sort()]).toEqual(['running', 2, ['worker-0', 'worker-1', 'worker-2']])
  })
})
