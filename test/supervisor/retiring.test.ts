import { describe, expect, it } from 'vitest'
import type { Router } from '../../src/routing/router.ts'
import { createSupervisor } from '../../src/supervisor/createSupervisor.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'
import { recordingSink } from './harness.ts'

/**
 * A worker retired by a scale-down (src/supervisor/scaling.ts `retireWorker`,
 * src/supervisor/workerPool.ts `drain`): out of routing at once, drained, listed among the
 * workers until it stopped; `stop()` waits for it as for the others.
 */
const parity: Router<number> = { name: 'parity', pick: (item, _key, workers) => item % workers.length }

/** Two workers scaling down to one while worker-1's flush of item 1 hangs at the gate. */
async function retiring() {
  const time = createVirtualTime()
  const sink = recordingSink<number>({ gated: true })
  const supervisor = createSupervisor<number>({
    worker: { flush: sink.flush, size: 100, maxWaitMs: 1e9, scheduler: time.scheduler },
    workers: { min: 1, max: 2, initial: 2 },
    route: parity,
    scale: { intervalMs: 100, cooldownMs: 0, highWater: 0.9, lowWater: 0.5 },
  })
  supervisor.tryAdd(1) // worker-1
  await time.advanceBy(100) // far below the low water: worker-1 retires, its STOP cuts item 1
  return { time, sink, supervisor }
}

describe('a retiring worker', () => {
  it('leaves routing at once and the worker list once it stopped', async () => {
    const { supervisor, time, sink } = await retiring()
    expect(supervisor.state).toBe('scaling')
    expect(supervisor.metrics()).toMatchObject({ workerCount: 1, itemsInFlight: 1 })
    expect(supervisor.metrics().workers.map((worker) => worker.id)).toEqual(['worker-0', 'worker-1'])
    supervisor.tryAdd(3) // odd, but worker-0 is the only one routed to
    expect(supervisor.metrics().workers.map((worker) => worker.itemsBuffered)).toEqual([1, 0])
    sink.open()
    await time.advanceBy(1)
    expect(supervisor.state).toBe('running')
    expect(supervisor.metrics().workers.map((worker) => worker.id)).toEqual(['worker-0'])
    expect(supervisor.metrics()).toMatchObject({ workerCount: 1, itemsFlushed: 1, itemsBuffered: 1 })
  })

  it('is waited for by stop()', async () => {
    const { supervisor, time, sink } = await retiring()
    let stopped = false
    const stopping = supervisor.stop().then(() => (stopped = true))
    await time.advanceBy(10)
    expect(stopped).toBe(false)
    sink.open()
    await stopping
    expect(sink.flushed).toEqual([1])
    expect(supervisor.metrics()).toMatchObject({ itemsFlushed: 1, state: 'stopped', workers: [] }) // every worker retired by the stop
  })
})
