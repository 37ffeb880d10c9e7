import { describe, expect, it } from 'vitest'
import type { Controller } from '../../src/controllers/controller.ts'
import { roundRobin } from '../../src/routing/roundRobin.ts'
import { createSupervisor } from '../../src/supervisor/createSupervisor.ts'
import type { SupervisorPort } from '../../src/supervisor/supervisorPort.ts'
import { manualSink } from '../../src/testing/index.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'
import { crash } from './harness.ts'

/**
 * The supervisor's control plane on its live workers (src/supervisor/supervisorRuntime.ts):
 * FEEDBACK reaches every worker, flush() cuts every worker's buffer and waits for it, a stop
 * timeout reaches every worker, pending and whenRoom read the workers, and what a restarting
 * worker's slot holds is bounded by one worker's capacity.
 */
function pool(options: { min?: number; capacity?: number; controller?: Controller<unknown> } = {}) {
  const time = createVirtualTime()
  const sink = manualSink<number>()
  const letters: number[] = []
  const supervisor = createSupervisor<number>({
    worker: {
      flush: sink.flush, size: 5, capacity: options.capacity ?? 10, maxWaitMs: 1e9, scheduler: time.scheduler, retry: { attempts: 1 },
      onDeadLetter: (items) => void letters.push(...items), ...(options.controller ? { controller: options.controller, size: { min: 1, max: 5, initial: 5 } } : {}),
    },
    workers: { min: options.min ?? 2 }, route: roundRobin({ run: 1 }), // item by item: the tests below count each worker's share
    restart: { backoffMs: 50 },
  })
  return { time, sink, letters, supervisor }
}

describe('supervisor control plane', () => {
  it('shares a FEEDBACK sample with every worker', async () => {
    const seen: number[] = []
    const controller: Controller<null> = {
      name: 'seeing', intervalMs: 10, initialState: () => null,
      decide: ({ target, samples }) => {
        seen.push(...samples.map((sample) => sample.feedback.cpu ?? -1))
        return { ...target, state: null }
      },
    }
    const { supervisor, time } = pool({ controller })
    supervisor.actor.send({ type: 'FEEDBACK', feedback: { cpu: 0.42 } })
    await time.advanceBy(10)
    expect(seen).toEqual([0.42, 0.42])
  })

  it('flush() cuts every worker and resolves once what they held settled', async () => {
    const { supervisor, sink, time } = pool()
    supervisor.addMany([1, 2, 3, 4])
    let flushed = false
    void supervisor.flush().then(() => (flushed = true))
    await time.settle()
    expect(sink.pending().map((call) => call.batch)).toEqual([[1, 3], [2, 4]])
    sink.pending()[0]!.resolve()
    await time.settle()
    expect(flushed).toBe(false)
    sink.pending()[0]!.resolve()
    await time.settle()
    expect(flushed).toBe(true)
  })

  it('FLUSH sent to the actor cuts every worker', async () => {
    const { supervisor, sink, time } = pool()
    supervisor.addMany([1, 2])
    supervisor.actor.send({ type: 'FLUSH' })
    await time.settle()
    expect(sink.pending()).toHaveLength(2)
  })

  it('stop({ timeoutMs }) gives every worker that long, then dead-letters what hangs', async () => {
    const { supervisor, time, letters } = pool()
    supervisor.addMany([1, 2])
    supervisor.actor.send({ type: 'FLUSH' })
    await time.settle()
    const stopped = supervisor.stop({ timeoutMs: 100 })
    await time.advanceBy(99)
    expect(letters).toEqual([])
    await time.advanceBy(1)
    await stopped
    expect(letters.sort()).toEqual([1, 2])
    expect(supervisor.state).toBe('stopped')
  })

  it('reads pending and whenRoom from its workers', async () => {
    const { supervisor: created, sink, time } = pool({ min: 1, capacity: 5 })
    const supervisor = created as typeof created & SupervisorPort<number>
    expect(supervisor.pending).toBe(0)
    supervisor.addMany([1, 2, 3, 4, 5])
    expect(supervisor.pending).toBe(5)
    expect(supervisor.tryAdd(6)).toBe(false)
    let room = false
    void supervisor.whenRoom().then(() => (room = true))
    await time.settle()
    expect(room).toBe(false)
    sink.pending()[0]!.resolve()
    await time.settle()
    expect(room).toBe(true)
    expect(supervisor.pending).toBe(0)
  })

  it('holds at most one worker capacity for a restarting worker, counting the rest dropped', async () => {
    const { supervisor: created, time } = pool({ min: 1, capacity: 5 })
    const supervisor = created as typeof created & SupervisorPort<number>
    crash(supervisor.actor.system.get('worker-0'))
    expect(supervisor.addMany([1, 2, 3, 4, 5, 6, 7])).toBe(5)
    expect(supervisor.metrics()).toMatchObject({ itemsHeld: 5, itemsDropped: 2, itemsAdded: 5 })
    expect(supervisor.pending).toBe(5)
    await time.advanceBy(50)
    expect(supervisor.metrics()).toMatchObject({ itemsHeld: 0, itemsInFlight: 5, restarts: 1 })
  })
})
